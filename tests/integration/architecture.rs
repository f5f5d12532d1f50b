//! The shape of the code, read from `src/`: no stage keeps site data in a global or a
//! thread-local, where one build, check or preview could see another's.

use std::path::{Path, PathBuf};

/// Process-wide statics that are allowed, each with why it holds no site data.
const ALLOWED_STATICS: &[(&str, &str)] = &[
    (
        "static STYLES: Mutex<Cache>",
        "CSL styles from hayagriva's archive, decoded once: the same for every site",
    ),
    ("static LOCALES: OnceLock", "hayagriva's locales, read-only"),
    ("static SYNTAXES: OnceLock", "syntect's grammars, read-only"),
    (
        "static THEME: OnceLock",
        "the highlighting classes, read-only",
    ),
    (
        "static EXECUTABLE:",
        "folio's own version, size and time, for cache keys",
    ),
    ("static ALLOCATOR:", "the memory allocator"),
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn no_thread_local_or_mutable_static_holds_site_data() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 30, "read {} files", files.len());
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            let global = code.contains("thread_local!")
                || code.starts_with("static ")
                || code.starts_with("pub static ")
                || code.starts_with("static mut ");
            let allowed = ALLOWED_STATICS
                .iter()
                .any(|(start, _)| code.starts_with(start));
            // `static DEFAULT_THEME: Dir` is the theme embedded in the binary, read-only.
            let embedded = code.starts_with("static DEFAULT_THEME: Dir");
            if global && !allowed && !embedded {
                found.push(format!("{}:{}: {code}", file.display(), number + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "globals that may hold site data:\n{}",
        found.join("\n")
    );
}
