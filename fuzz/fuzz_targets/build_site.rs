//! Fuzzes a whole `folio build` of a tiny site whose files come from the fuzzed bytes: the
//! input is cut at 0xFF bytes (never in UTF-8 text) into a brief, an author, a second brief, a
//! page and lines appended to `site.toml`.
#![no_main]

use folio::build::{BuildOptions, build};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::LazyLock;

static SITE: LazyLock<tempfile::TempDir> =
    LazyLock::new(|| tempfile::tempdir().expect("a temporary folder"));

/// Search and PDFs are off: the index and Typst would slow every execution for little more
/// coverage of the input (hostile text in PDFs has its own test, `pdf::hostile_text_…`).
const SITE_TOML: &str = "title = \"Fuzz Institute\"\nbase_url = \"https://example.org\"\n[search]\nenabled = false\n[pdf]\nenabled = false\n";
const FILES: [&str; 4] = [
    "content/briefs/first.md",
    "content/authors/ada-lovelace.md",
    "content/briefs/second/index.md",
    "content/pages/about.md",
];

fn write(root: &Path, relative: &str, bytes: &[u8]) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fuzz_target!(|data: &[u8]| {
    let root = SITE.path().join("site");
    let _ = std::fs::remove_dir_all(&root);
    let mut parts = data.split(|&b| b == 0xFF);
    for file in FILES {
        match parts.next() {
            Some(bytes) => write(&root, file, bytes),
            None if file == FILES[1] => write(
                &root,
                file,
                b"---\nname: Ada Lovelace\n---\nAnalyst.\n",
            ),
            None => {}
        }
    }
    let mut settings = SITE_TOML.as_bytes().to_vec();
    settings.extend(parts.next().unwrap_or_default());
    write(&root, "site.toml", &settings);
    let options = BuildOptions {
        root: root.clone(),
        output: Some(SITE.path().join("public")),
        drafts: data.len() % 2 == 0,
        future: data.len() % 3 == 0,
        base_url: None,
    };
    let _ = build(&options);
});
