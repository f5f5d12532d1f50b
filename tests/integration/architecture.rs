//! The shape of the code, read from `src/`: the stages import only earlier stages, with no
//! cycle, and none keeps site data in a global or a thread-local, where one build, check or
//! preview could see another's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The pipeline, earliest first: a stage may import the stages before it, never one after.
/// The engine and its clients `build`, `check` and `serve` sit above them all; the other modules (`cache`,
/// `diagnostics`, `fsutil`, `scaffold`…) are shared helpers outside the order.
const STAGES: &[&str] = &[
    "config", "content", "markdown", "site", "render", "pdf", "search", "output",
];
const ABOVE: &[&str] = &["engine", "build", "check", "serve"];

/// Each top-level module of `src/` and the modules of the crate it names (`crate::x`).
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.iter().next().unwrap().to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        let named = graph.entry(module.clone()).or_default();
        for (at, _) in text.match_indices("crate::") {
            let rest = &text[at + "crate::".len()..];
            let target: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `crate::lock` is a function of lib.rs, not a module.
            if target != module && target != "lock" && !target.is_empty() {
                named.insert(target);
            }
        }
    }
    graph
}

fn rank(module: &str) -> Option<usize> {
    STAGES
        .iter()
        .position(|stage| *stage == module)
        .or_else(|| ABOVE.contains(&module).then_some(STAGES.len()))
}

#[test]
fn stages_import_only_earlier_stages_and_nothing_imports_in_a_circle() {
    let graph = imports();
    assert!(graph.len() > 10, "read {} modules", graph.len());
    let mut wrong = Vec::new();
    for (module, named) in &graph {
        for target in named {
            if let (Some(from), Some(to)) = (rank(module), rank(target))
                && from < to
            {
                wrong.push(format!("{module} imports {target}, a later stage"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // A cycle is a path from a module back to itself.
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        while let Some((module, path)) = stack.pop() {
            for next in graph.get(&module).into_iter().flatten() {
                if next == start {
                    panic!("import cycle: {} -> {start}", path.join(" -> "));
                }
                if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
}

/// Process-wide statics that are allowed, each with why it holds no site data.
const ALLOWED_STATICS: &[(&str, &str)] = &[
    (
        "static STYLES: Mutex<Cache>",
        "CSL styles from hayagriva's archive, decoded once: the same for every site",
    ),
    (
        "static LOCALES: Mutex<Decoded>",
        "hayagriva's locales, decoded a language at a time: the same for every site",
    ),
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
