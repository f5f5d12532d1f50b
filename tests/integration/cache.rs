//! The build cache: a build from cached citations and search index writes the same site as one
//! without, and an edited brief misses the cache.

use crate::common::{Site, sel};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Builds `site` into `output` with the cache in `cache` ("" turns it off).
fn build_with_cache(site: &Site, output: &Path, cache: &str) {
    let result = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["build", "--root"])
        .arg(site.root())
        .arg("--output")
        .arg(output)
        .env("FOLIO_CACHE_DIR", cache)
        .output()
        .expect("folio runs");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

/// Every file under `dir`, by relative path, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry.path().strip_prefix(dir).unwrap();
            (
                relative.display().to_string(),
                std::fs::read(entry.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_build_from_the_cache_writes_the_same_site_as_one_without() {
    let site = Site::fixture("features");
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    let cache = cache.to_str().unwrap();
    let (cold, warm, uncached) = (
        scratch.path().join("cold"),
        scratch.path().join("warm"),
        scratch.path().join("uncached"),
    );
    build_with_cache(&site, &cold, cache);
    let kept = files(Path::new(cache));
    assert!(
        kept.keys().any(|name| name.ends_with("citations.json")),
        "{kept:?}"
    );
    assert!(
        kept.keys().any(|name| name.ends_with("search/key")),
        "{:?}",
        kept.keys()
    );
    build_with_cache(&site, &warm, cache);
    build_with_cache(&site, &uncached, "");
    let cold = files(&cold);
    assert!(
        cold.keys()
            .any(|name| name.starts_with("pagefind/fragment/"))
    );
    assert!(cold == files(&warm), "the warm build differs from the cold");
    assert!(
        cold == files(&uncached),
        "the cached build differs from one without"
    );
}

#[test]
fn an_edited_brief_misses_the_cache() {
    let site = Site::fixture("features");
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    let cache = cache.to_str().unwrap();
    let output = site.output();
    build_with_cache(&site, &output, cache);
    let index_before = files(&output.join("pagefind"));
    let brief = site.root().join("content/briefs/notes-twice.md");
    let text = std::fs::read_to_string(&brief).unwrap();
    let title_line = text.lines().find(|l| l.starts_with("title:")).unwrap();
    let edited = text.replacen(title_line, "title: \"Quokka Fiscal Rules Revisited\"", 1);
    std::fs::write(&brief, edited).unwrap();
    build_with_cache(&site, &output, cache);

    let pages = files(&output);
    let cite_boxes: Vec<String> = pages
        .iter()
        .filter(|(name, _)| name.starts_with("briefs/") && name.ends_with("index.html"))
        .filter_map(|(_, bytes)| {
            let html = scraper::Html::parse_document(std::str::from_utf8(bytes).unwrap());
            let cite = html.select(&sel(".cite-as .citation")).next()?;
            Some(cite.text().collect())
        })
        .collect();
    assert!(
        cite_boxes
            .iter()
            .any(|c| c.contains("Quokka Fiscal Rules Revisited")),
        "the edited title is in its citation: {cite_boxes:?}"
    );
    assert!(
        files(&output.join("pagefind")) != index_before,
        "the search index was made again"
    );
}
