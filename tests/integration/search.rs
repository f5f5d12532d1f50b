//! Search: the Pagefind index and the search page, written by `folio build` unless
//! `[search] enabled = false`.

use crate::common::{Site, sel, snapshot};

#[test]
fn build_writes_the_search_page_and_its_index_in_chunks() {
    let site = Site::fixture("features");
    site.build_ok(&[]);
    let out = site.output();
    let entry = std::fs::read_to_string(out.join("pagefind/pagefind-entry.json")).unwrap();
    assert!(entry.contains("\"page_count\""), "{entry}");
    assert!(out.join("pagefind/pagefind.js").is_file());
    for chunks in ["index", "fragment", "filter"] {
        let dir = out.join("pagefind").join(chunks);
        assert!(std::fs::read_dir(&dir).unwrap().count() > 0, "{chunks}/");
    }
    assert!(
        !out.join("pagefind/pagefind-ui.js").exists(),
        "Pagefind's own interfaces are left out"
    );
    let page = site.page("/search/");
    let form = page.select(&sel("form#search-form[role=search]")).next();
    assert!(form.is_some(), "the search page has its form");
    assert!(
        page.select(&sel(".search-browse a[href^='/topics/']"))
            .count()
            > 0
    );
    let home = site.page("/");
    let boxes = home
        .select(&sel("header form[action='/search/'] input[name=q]"))
        .count();
    assert_eq!(boxes, 1, "a search box in every page's header");
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(
        !sitemap.contains("/search/"),
        "the search page is not content"
    );
}

#[test]
fn two_builds_write_the_same_index_byte_for_byte() {
    // Without the build cache, so that the second build makes its index anew.
    let site = Site::fixture("features");
    let outputs = tempfile::tempdir().unwrap();
    let (first, second) = (outputs.path().join("first"), outputs.path().join("second"));
    crate::common::build_with_cache(&site, &first, "");
    crate::common::build_with_cache(&site, &second, "");
    let first = snapshot(&first.join("pagefind"));
    assert!(first.len() > 5);
    assert!(
        first == snapshot(&second.join("pagefind")),
        "the indexes differ"
    );
}

#[test]
fn search_can_be_turned_off_in_site_toml() {
    let site = Site::fixture("features");
    let settings = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        &format!("{settings}\n[search]\nenabled = false\n"),
    );
    site.build_ok(&[]);
    assert!(!site.output().join("pagefind").exists());
    assert!(!site.output().join("search/index.html").exists());
    let home = site.page("/");
    assert_eq!(home.select(&sel("form[role=search]")).count(), 0);
}
