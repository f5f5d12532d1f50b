//! Footnotes: numbered by first reference, each reference reaching its note and each note
//! reaching back to every reference, with ids unique and prefixed per brief.

use crate::common::{Site, sel, text_of};
use scraper::Html;
use std::collections::HashSet;

fn brief() -> Html {
    let site = Site::fixture("features");
    site.build_ok(&[]);
    site.page("/briefs/notes-twice/")
}

/// The element with this id, which must exist exactly once.
fn by_id<'a>(page: &'a Html, id: &str) -> scraper::ElementRef<'a> {
    let found: Vec<_> = page
        .select(&sel("[id]"))
        .filter(|e| e.value().id() == Some(id))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "id {id} should exist once, found {}",
        found.len()
    );
    found[0]
}

#[test]
fn every_reference_reaches_its_note_and_every_note_reaches_back() {
    let page = brief();
    let refs: Vec<_> = page.select(&sel(r#"a[role="doc-noteref"]"#)).collect();
    assert_eq!(refs.len(), 4, "four references in the body");
    for reference in &refs {
        let target = reference
            .value()
            .attr("href")
            .unwrap()
            .trim_start_matches('#');
        let note = by_id(&page, target);
        assert_eq!(note.value().name(), "li");
        let own_id = reference.value().id().expect("reference has an id");
        let back: Vec<_> = note
            .select(&sel(r#"a[role="doc-backlink"]"#))
            .map(|a| {
                a.value()
                    .attr("href")
                    .unwrap()
                    .trim_start_matches('#')
                    .to_string()
            })
            .collect();
        assert!(
            back.contains(&own_id.to_string()),
            "note {target} links back to {own_id}"
        );
    }
    for backlink in page.select(&sel(r#"a[role="doc-backlink"]"#)) {
        let target = backlink
            .value()
            .attr("href")
            .unwrap()
            .trim_start_matches('#');
        let reference = by_id(&page, target);
        assert_eq!(reference.value().attr("role"), Some("doc-noteref"));
    }
}

#[test]
fn notes_are_numbered_by_first_reference_and_a_note_cited_twice_has_two_back_links() {
    let page = brief();
    let numbers: Vec<String> = page
        .select(&sel(r#"a[role="doc-noteref"]"#))
        .map(text_of)
        .collect();
    assert_eq!(numbers, ["1", "2", "2", "3"]);
    let notes: Vec<_> = page.select(&sel("section#notes li")).collect();
    assert_eq!(notes.len(), 3);
    assert!(text_of(notes[0]).contains("A note cited once"));
    assert!(text_of(notes[1]).starts_with("Shared source"));
    let backlinks = |n: usize| notes[n].select(&sel(r#"a[role="doc-backlink"]"#)).count();
    assert_eq!((backlinks(0), backlinks(1), backlinks(2)), (1, 2, 1));
}

#[test]
fn notes_section_has_its_dpub_roles_and_ids_are_prefixed_and_unique() {
    let page = brief();
    let section = page
        .select(&sel("section#notes"))
        .next()
        .expect("Notes section");
    assert_eq!(section.value().attr("role"), Some("doc-endnotes"));
    for note in page.select(&sel("section#notes li")) {
        assert!(note.value().id().unwrap().starts_with("notes-twice-fn-"));
    }
    let mut seen = HashSet::new();
    for element in page.select(&sel("[id]")) {
        let id = element.value().id().unwrap();
        assert!(seen.insert(id.to_string()), "id {id} is used twice");
    }
}

#[test]
fn every_in_page_link_resolves() {
    let page = brief();
    let ids: HashSet<&str> = page
        .select(&sel("[id]"))
        .filter_map(|e| e.value().id())
        .collect();
    let mut notes_linked = 0;
    for link in page.select(&sel("a[href^='#']")) {
        let target = &link.value().attr("href").unwrap()[1..];
        assert!(ids.contains(target), "#{target} does not resolve");
        if link.value().attr("role") == Some("doc-noteref") {
            notes_linked += 1;
        }
    }
    // The brief's four note references are among them: a page without note links proves
    // nothing about notes.
    assert_eq!(notes_linked, 4, "in-page links to notes");
}

/// `![…](chart.png "Graduates by year[^census]")`: the mark in a figure's caption becomes a
/// note reference like any other, never literal `[^census]` text.
#[test]
fn a_note_mark_in_a_figure_caption_becomes_a_note() {
    let site = Site::fixture("minimal");
    site.write(
        "content/briefs/first-brief.md",
        "---\ntitle: First brief\ndate: 2025-03-01\nauthors: [ada-lovelace]\n---\n\n\
         Intro with a note.[^one]\n\n\
         ![Graduates](https://example.org/chart.png \"Graduates by year[^census]\")\n\n\
         [^one]: A note.\n\n[^census]: The census of 2021.\n",
    );
    site.build_ok(&[]);
    let page = site.page("/briefs/first-brief/");
    let caption = page
        .select(&sel("figure figcaption"))
        .next()
        .expect("a figure");
    assert!(
        !text_of(caption).contains("[^"),
        "literal mark: {}",
        text_of(caption)
    );
    let reference = caption
        .select(&sel(r#"a[role="doc-noteref"]"#))
        .next()
        .expect("the caption holds a note reference");
    assert_eq!(
        text_of(reference).trim(),
        "2",
        "numbered after the body's first note"
    );
    let target = reference
        .value()
        .attr("href")
        .unwrap()
        .trim_start_matches('#');
    let note = by_id(&page, target);
    assert!(text_of(note).contains("The census of 2021."));
}
