//! The repository's own example site builds, has every page type and keeps its links whole.

use crate::common::{folio, sel, url_to_file};
use crate::site_pages::assert_internal_links_resolve;
use scraper::Html;
use std::collections::HashSet;
use std::path::Path;

#[test]
fn example_site_builds_every_page_type_with_resolving_links_and_footnotes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let output = out.path().join("public");
    let run = folio(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for url in [
        "/",
        "/authors/",
        "/topics/",
        "/about/",
        "/contact/",
        "/404.html",
    ] {
        assert!(url_to_file(&output, url).is_file(), "{url} missing");
    }
    let briefs: Vec<_> = std::fs::read_dir(output.join("briefs")).unwrap().collect();
    assert!(briefs.len() >= 4, "at least four published briefs");
    let mut notes_total = 0;
    let mut redirects = 0;
    for entry in briefs {
        let file = entry.unwrap().path().join("index.html");
        let page = Html::parse_document(&std::fs::read_to_string(&file).unwrap());
        // An old address of a brief (`aliases:`) holds a redirect page, not a brief.
        if page
            .select(&sel("meta[http-equiv=refresh]"))
            .next()
            .is_some()
        {
            redirects += 1;
            continue;
        }
        let ids: HashSet<&str> = page
            .select(&sel("[id]"))
            .filter_map(|e| e.value().id())
            .collect();
        for link in page.select(&sel("a[href^='#']")) {
            let target = &link.value().attr("href").unwrap()[1..];
            assert!(
                ids.contains(target),
                "{}: #{target} does not resolve",
                file.display()
            );
        }
        notes_total += page.select(&sel("section#notes li")).count();
        assert!(
            page.select(&sel("section#sources li")).count() > 0,
            "{} has sources",
            file.display()
        );
    }
    assert!(notes_total > 10);
    assert!(redirects >= 1, "the example site shows an alias");
    assert!(
        !output.join("briefs/shared-care-records-trust").exists(),
        "the draft is left out"
    );
    assert!(output.join("authors").read_dir().unwrap().count() >= 4);
    assert_internal_links_resolve(&output);
}
