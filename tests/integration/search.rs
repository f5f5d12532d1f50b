//! Search: folio's own index under `search/index/` and the search page, written by
//! `folio build` unless `[search] enabled = false`.

use crate::common::{Site, sel, snapshot};
use serde_json::Value;
use std::path::Path;

/// A file of the index, parsed.
fn index_json(out: &Path, name: &str) -> Value {
    let text = std::fs::read_to_string(out.join("search/index").join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// The file of a chunk list (`[[first key, file], …]`, sorted) that holds `key`.
fn chunk_for<'m>(chunks: &'m Value, key: &str) -> &'m str {
    chunks
        .as_array()
        .unwrap()
        .iter()
        .rfind(|chunk| chunk[0].as_str().unwrap() <= key)
        .unwrap_or(&chunks[0])[1]
        .as_str()
        .unwrap()
}

/// The stem the vocabulary gives a surface word, and the postings of that stem as
/// `[document, impact, section, …]` (after the stem's weight) with the documents' differences
/// added up and the title mark taken off the section.
fn postings_of(out: &Path, manifest: &Value, word: &str) -> Vec<u64> {
    let vocabulary = index_json(out, chunk_for(&manifest["vocabulary"], word));
    let stem = match vocabulary[word]
        .as_str()
        .expect("the word is in the vocabulary")
    {
        "" => word.to_string(),
        stem => stem.to_string(),
    };
    let postings = index_json(out, chunk_for(&manifest["postings"], &stem));
    let list = postings[&stem].as_array().unwrap();
    assert!(
        list[0].as_f64().unwrap() > 0.0,
        "the stem's weight comes first"
    );
    let mut flat: Vec<u64> = list[1..].iter().map(|n| n.as_u64().unwrap()).collect();
    for n in (0..flat.len()).step_by(3) {
        flat[n + 2] /= 2;
        if n >= 3 {
            flat[n] += flat[n - 3];
        }
    }
    flat
}

/// The documents of a filter's value, its differences added up.
fn filter_documents(list: &Value) -> Vec<u64> {
    let mut at = 0;
    list.as_array()
        .unwrap()
        .iter()
        .map(|gap| {
            at += gap.as_u64().unwrap();
            at
        })
        .collect()
}

/// The card of document `n`.
fn card(out: &Path, manifest: &Value, n: u64) -> Value {
    let size = manifest["documentChunk"].as_u64().unwrap();
    let chunk = (n / size) as usize;
    let hash = &manifest["documentHashes"].as_str().unwrap()[chunk * 8..chunk * 8 + 8];
    index_json(out, &format!("documents-{chunk}-{hash}.json"))[(n % size) as usize].clone()
}

#[test]
fn build_writes_the_search_page_and_its_index_in_chunks() {
    let site = Site::fixture("features");
    site.build_ok(&[]);
    let out = site.output();
    let manifest = index_json(&out, "manifest.json");
    assert!(manifest["documents"].as_u64().unwrap() >= 3, "{manifest}");
    let mut named = 0;
    for part in ["vocabulary", "postings"] {
        for chunk in manifest[part].as_array().unwrap() {
            assert!(
                out.join("search/index")
                    .join(chunk[1].as_str().unwrap())
                    .is_file()
            );
            named += 1;
        }
    }
    let written = std::fs::read_dir(out.join("search/index")).unwrap().count();
    let documents = manifest["documentHashes"].as_str().unwrap().len() / 8;
    assert_eq!(
        written,
        named + documents + 2,
        "manifest, filters and the chunks"
    );
    assert!(!out.join("pagefind").exists(), "no Pagefind files");
    let page = site.page("/search/");
    let form = page.select(&sel("form#search-form[role=search]")).next();
    assert_eq!(
        form.unwrap().value().attr("data-index"),
        Some("/search/index/manifest.json")
    );
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
fn a_folded_word_of_a_heading_leads_to_its_brief_and_section() {
    let site = Site::fixture("features");
    site.build_ok(&[]);
    let out = site.output();
    let manifest = index_json(&out, "manifest.json");
    let postings = postings_of(&out, &manifest, "detail");
    let hits: Vec<&[u64]> = postings.chunks(3).collect();
    let hit = hits
        .iter()
        .find(|hit| card(&out, &manifest, hit[0])["url"] == "/briefs/notes-twice/")
        .expect("the brief with the heading is found");
    assert!(hit[1] >= 1 && hit[1] <= 255, "an impact of one byte");
    let card = card(&out, &manifest, hit[0]);
    let section = &card["sections"][hit[2] as usize];
    assert_eq!(section[0], "custom-detail", "{card}");
    let page = site.page("/briefs/notes-twice/");
    assert_eq!(
        page.select(&sel("#custom-detail")).count(),
        1,
        "the anchor is an id of the page"
    );
    assert_eq!(card["authors"][0], "Ada Lovelace");
    let filters = index_json(&out, manifest["filters"].as_str().unwrap());
    let topic = filter_documents(&filters["topic"]["Public Finance"]);
    assert!(topic.contains(&hit[0]), "{filters}");
}

#[test]
fn a_briefs_terms_in_the_sites_taxonomies_are_words_that_find_it() {
    // The fixture's `programmes: [Fiscal Rules]`: "fiscal" is in no brief's text.
    let site = Site::fixture("features");
    site.build_ok(&[]);
    let out = site.output();
    let manifest = index_json(&out, "manifest.json");
    let found: Vec<Value> = postings_of(&out, &manifest, "fiscal")
        .chunks(3)
        .map(|hit| card(&out, &manifest, hit[0])["url"].clone())
        .collect();
    assert!(
        found.contains(&Value::from("/briefs/notes-twice/")),
        "{found:?}"
    );
    assert!(
        found.contains(&Value::from("/briefs/older-brief/")),
        "{found:?}"
    );
}

#[test]
fn an_authors_role_and_a_key_finding_are_words_that_find_the_brief() {
    // Ada Lovelace is a "Senior Fellow", a word in no brief's text: the byline shows it.
    let site = Site::fixture("features");
    site.write(
        "content/briefs/findings.md",
        "---\ntitle: Findings\ndate: 2024-02-02\nauthors: [charles-babbage]\n\
         key_findings:\n  - \"Brewing *zymurgy* doubles the yield.\"\n---\n\nBody.\n",
    );
    site.build_ok(&[]);
    let out = site.output();
    let manifest = index_json(&out, "manifest.json");
    let urls = |word: &str| -> Vec<Value> {
        postings_of(&out, &manifest, word)
            .chunks(3)
            .map(|hit| card(&out, &manifest, hit[0])["url"].clone())
            .collect()
    };
    let fellow = urls("fellow");
    assert!(
        fellow.contains(&Value::from("/briefs/notes-twice/")),
        "{fellow:?}"
    );
    assert!(
        !fellow.contains(&Value::from("/briefs/findings/")),
        "{fellow:?}"
    );
    assert_eq!(urls("zymurgy"), [Value::from("/briefs/findings/")]);
}

#[test]
fn a_language_without_a_stemmer_indexes_words_as_written_with_a_warning() {
    let site = Site::fixture("features");
    let settings = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    let settings = settings
        .lines()
        .filter(|line| !line.starts_with("language"))
        .collect::<Vec<_>>()
        .join("\n");
    site.write("site.toml", &format!("language = \"la\"\n{settings}\n"));
    let output = site.build_ok(&[]);
    let said = String::from_utf8_lossy(&output.stderr).to_string()
        + &String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("no stemmer"), "{said}");
    let out = site.output();
    let manifest = index_json(&out, "manifest.json");
    assert_eq!(manifest["stemmed"], false);
    assert!(
        !postings_of(&out, &manifest, "claim").is_empty(),
        "unstemmed"
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
    let first = snapshot(&first.join("search/index"));
    assert!(first.len() > 5);
    assert!(
        first == snapshot(&second.join("search/index")),
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
    assert!(!site.output().join("search").exists());
    let home = site.page("/");
    assert_eq!(home.select(&sel("form[role=search]")).count(), 0);
}

/// Builds `site` into `output` with the build cache at `cache`; returns the index stage's
/// timing line.
fn index_timing(site: &Site, output: &Path, cache: &Path) -> String {
    crate::common::stage_timing(site, output, cache.to_str().unwrap(), "index")
}

#[test]
fn an_edited_build_patches_the_index_into_what_a_fresh_build_writes() {
    let site = Site::fixture("features");
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    let output = site.output();
    assert!(!index_timing(&site, &output, &cache).contains("patched"));
    // One brief has a word the site never had in place of one of its own; another is
    // retitled (its card, filters and title words change). Each keeps its length in words:
    // on a site of five briefs, a longer one moves the mean length a step, and the index is
    // then made afresh (on a site of thousands, an edit moves it by millionths).
    let edit = |name: &str, change: &dyn Fn(String) -> String| {
        let path = site.root().join("content/briefs").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, change(text)).unwrap();
    };
    edit("notes-twice.md", &|text| {
        text.replacen(" the ", " xylophonic ", 1)
    });
    edit("older-brief.md", &|text| {
        text.replacen("title: An Older Brief", "title: Quokka Fiscal Rules", 1)
    });
    let timing = index_timing(&site, &output, &cache);
    assert!(
        timing.contains("patched the last index for 2 edited"),
        "{timing}"
    );
    let fresh = scratch.path().join("fresh");
    crate::common::build_with_cache(&site, &fresh, "");
    let patched = snapshot(&output.join("search/index"));
    assert!(
        patched == snapshot(&fresh.join("search/index")),
        "the patched index differs from a fresh one"
    );
    let manifest = index_json(&output, "manifest.json");
    assert!(!postings_of(&output, &manifest, "xylophonic").is_empty());
    // Undone, an edit patches the index back to the files it had.
    let before_undo = snapshot(&output.join("search/index"));
    edit("notes-twice.md", &|text| {
        text.replacen(" xylophonic ", " the ", 1)
    });
    assert!(index_timing(&site, &output, &cache).contains("patched the last index for 1 edited"));
    assert!(snapshot(&output.join("search/index")) != before_undo);
    crate::common::build_with_cache(&site, &fresh, "");
    assert!(snapshot(&output.join("search/index")) == snapshot(&fresh.join("search/index")));
}
