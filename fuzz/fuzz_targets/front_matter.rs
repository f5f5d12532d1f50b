//! Fuzzes reading a content file: bytes → text (BOM, CRLF, UTF-8), front matter split, YAML,
//! every field check, for a brief, an author and a page.
#![no_main]

use folio::config::{Config, load_config};
use folio::content::{Entry, Kind, decode_source, parse_source};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::LazyLock;

/// A site's settings, read once from a `site.toml` in a temporary folder (with a path in
/// `base_url`, so links written from the root are rewritten too); nothing else is on disk.
static CONFIG: LazyLock<(tempfile::TempDir, Config)> = LazyLock::new(|| {
    let root = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(
        root.path().join("site.toml"),
        "title = \"Fuzz\"\nbase_url = \"https://example.org/think\"\n",
    )
    .expect("site.toml written");
    let config = load_config(root.path()).expect("site.toml loads");
    (root, config)
});

fuzz_target!(|data: &[u8]| {
    let config = &CONFIG.1;
    let authors = vec!["ada-lovelace".to_string(), "grace-hopper".to_string()];
    for (kind, folder) in [
        (Kind::Brief, "briefs"),
        (Kind::Author, "authors"),
        (Kind::Page, "pages"),
    ] {
        let path = config.content_dir().join(folder).join("fuzzed.md");
        let shown = PathBuf::from(format!("content/{folder}/fuzzed.md"));
        let Ok(file) = decode_source(data, path.clone(), shown) else {
            return;
        };
        let entry = Entry {
            kind,
            path,
            name: "fuzzed".into(),
            bundle: None,
        };
        let (_doc, problems) = parse_source(config, file, entry, &authors);
        for problem in problems {
            // Printing places the caret under the line shown: it must not panic either.
            let _ = problem.to_string();
        }
    }
});
