//! Citing a bibliography: `[@key]` becomes a numbered note (notes styles) or an in-text
//! citation linked to its entry (author-date styles), with a References list, checked against
//! what hayagriva itself formats for the same entries.

use crate::common::{Site, sel, stderr, text_of};
use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::{IndependentStyle, LocaleCode, Style};
use hayagriva::{BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, Library};
use scraper::Html;
use std::collections::HashSet;

const BRIEF: &str = "/briefs/housing-supply/";
const BRIEF_FILE: &str = "content/briefs/housing-supply/index.md";

fn style(name: &str) -> IndependentStyle {
    match ArchivedStyle::by_name(name).unwrap().get() {
        Style::Independent(style) => style,
        Style::Dependent(_) => panic!("{name} is a dependent style"),
    }
}

fn library(site: &Site) -> Library {
    let bib = std::fs::read_to_string(site.root().join("content/briefs/housing-supply/refs.bib"))
        .unwrap();
    hayagriva::io::from_biblatex_str(&bib).unwrap()
}

/// What hayagriva makes of one entry on its own, as plain text: the first citation of it and
/// its reference-list entry, in the style and language folio uses.
fn hayagriva_says(site: &Site, style_name: &str, key: &str) -> (String, String) {
    let library = library(site);
    let entry = library.get(key).unwrap();
    let style = style(style_name);
    let locales = hayagriva::archive::locales();
    let locale = Some(LocaleCode("en".into()));
    let mut driver = BibliographyDriver::new();
    driver.citation(CitationRequest::new(
        vec![CitationItem::with_entry(entry)],
        &style,
        locale.clone(),
        &locales,
        Some(1),
    ));
    let rendered = driver.finish(BibliographyRequest::new(&style, locale, &locales));
    let citation = format!("{:#}", rendered.citations[0].citation);
    let reference = format!("{:#}", rendered.bibliography.unwrap().items[0].content);
    (fold(&citation), fold(&reference))
}

fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of a note without its back links.
fn note_text(page: &Html, number: usize) -> String {
    let note = page
        .select(&sel(&format!("#housing-supply-fn-{number}")))
        .next()
        .unwrap_or_else(|| panic!("no note {number}"));
    let back = text_of(note)
        .trim_end_matches(|c: char| c == '↩' || c.is_whitespace())
        .to_string();
    fold(&back)
}

fn ids(page: &Html) -> HashSet<String> {
    page.select(&sel("[id]"))
        .map(|e| e.value().attr("id").unwrap().to_string())
        .collect()
}

fn use_style(site: &Site, style: &str) {
    site.write(
        "site.toml",
        &format!(
            "title = \"Bibliography Institute\"\nbase_url = \"https://briefs.example.org\"\n\n\
             [citation]\nstyle = \"{style}\"\n"
        ),
    );
}

#[test]
fn notes_style_numbers_citations_among_the_authors_notes() {
    let site = Site::fixture("bibliography");
    site.build_ok(&[]);
    let page = site.page(BRIEF);
    let notes: Vec<_> = page.select(&sel("#notes li")).collect();
    // [@ons2024], [^early], @smith2020's note, [see @smith2020, p. 112; @levelling2023],
    // [@levelling2023, sec. 3], [^data] (which cites @epc2024 inside itself).
    assert_eq!(notes.len(), 6);
    assert!(note_text(&page, 2).starts_with("A note the author wrote"));
    assert!(note_text(&page, 6).starts_with("The register is open Department for"));
    // Every reference in the body leads to its note and every note back to its reference.
    let ids = ids(&page);
    let refs: Vec<_> = page
        .select(&sel(".brief-body a[role=doc-noteref]"))
        .collect();
    assert_eq!(refs.len(), 6);
    for (i, link) in refs.iter().enumerate() {
        assert_eq!(
            text_of(*link),
            (i + 1).to_string(),
            "notes are numbered in order"
        );
        let target = link.value().attr("href").unwrap().trim_start_matches('#');
        assert_eq!(target, format!("housing-supply-fn-{}", i + 1));
    }
    for back in page.select(&sel("#notes a[role=doc-backlink]")) {
        let target = back.value().attr("href").unwrap().trim_start_matches('#');
        assert!(ids.contains(target), "back link to a missing #{target}");
    }
    // The text of the first note is hayagriva's first citation of the entry.
    let (citation, _) = hayagriva_says(&site, "chicago-notes", "ons2024");
    assert_eq!(note_text(&page, 1), citation);
    // The in-text citation puts the authors' names in the text and the reference in a note.
    let body = text_of(page.select(&sel(".brief-body")).next().unwrap());
    assert!(body.contains("Smith and Patel3 argue"), "{body}");
    let (smith, _) = hayagriva_says(&site, "chicago-notes", "smith2020");
    assert_eq!(note_text(&page, 3), smith);
}

#[test]
fn the_references_list_has_exactly_the_entries_cited_formatted_by_hayagriva() {
    let site = Site::fixture("bibliography");
    site.build_ok(&[]);
    let page = site.page(BRIEF);
    let entries: Vec<_> = page.select(&sel("#references li")).collect();
    let keys: HashSet<String> = entries
        .iter()
        .map(|e| {
            let id = e.value().attr("id").unwrap();
            id.strip_prefix("housing-supply-ref-").unwrap().to_string()
        })
        .collect();
    // barker2004 is in refs.bib but never cited.
    let cited: HashSet<String> = ["ons2024", "smith2020", "levelling2023", "epc2024"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(keys, cited);
    let smith = page
        .select(&sel("#housing-supply-ref-smith2020"))
        .next()
        .unwrap();
    let (_, reference) = hayagriva_says(&site, "chicago-notes", "smith2020");
    assert_eq!(fold(&text_of(smith)), reference);
    // Each cited entry is a `citation_reference` for scholarly indexers.
    let tags: Vec<String> = page
        .select(&sel("meta[name=citation_reference]"))
        .map(|m| m.value().attr("content").unwrap().to_string())
        .collect();
    assert_eq!(tags.len(), 4);
    assert!(tags.iter().any(|t| t.contains(
        "citation_title=Planning Constraints and the Supply of New Homes; \
         citation_author=Smith, Jane; citation_author=Patel, Ravi"
    )));
}

#[test]
fn reference_urls_are_sources_that_link_back_to_where_they_are_cited() {
    let site = Site::fixture("bibliography");
    site.build_ok(&[]);
    let page = site.page(BRIEF);
    let ids = ids(&page);
    let ons = "https://www.ons.gov.uk/peoplepopulationandcommunity/housing/bulletins/\
               housingaffordabilityinenglandandwales/2023";
    let source = page
        .select(&sel("#sources li"))
        .find(|li| {
            li.select(&sel("a.source-url"))
                .any(|a| a.value().attr("href") == Some(ons))
        })
        .expect("the ONS bulletin is a source");
    let places: Vec<String> = source
        .select(&sel(".cited-in a:not(.source-index)"))
        .map(text_of)
        .collect();
    assert_eq!(places, ["Note 1", "References"]);
    // Named as the entry is, not by its long address.
    let name = source.select(&sel(".source-name")).next().map(text_of);
    assert_eq!(
        name.as_deref(),
        Some("Office for National Statistics, Housing Affordability in England and Wales: 2023")
    );
    for place in source.select(&sel(".cited-in a:not(.source-index)")) {
        let target = place.value().attr("href").unwrap().trim_start_matches('#');
        assert!(ids.contains(target), "#{target} is not on the page");
    }
}

#[test]
fn author_date_citations_stay_in_the_text_and_link_to_their_entries() {
    let site = Site::fixture("bibliography");
    use_style(&site, "apa");
    site.build_ok(&[]);
    let page = site.page(BRIEF);
    // Only the author's own notes are notes.
    assert_eq!(page.select(&sel("#notes li")).count(), 2);
    let ids = ids(&page);
    let citations: Vec<_> = page.select(&sel(".brief-body a.citation")).collect();
    assert_eq!(citations.len(), 5);
    for citation in &citations {
        let target = citation
            .value()
            .attr("href")
            .unwrap()
            .trim_start_matches('#');
        assert!(target.starts_with("housing-supply-ref-"), "{target}");
        assert!(ids.contains(target), "#{target} is not on the page");
    }
    let body = text_of(page.select(&sel(".brief-body")).next().unwrap());
    let (ons, ons_entry) = hayagriva_says(&site, "apa", "ons2024");
    assert_eq!(ons, "(Office for National Statistics, 2024)");
    assert!(body.contains(&format!("for a decade {ons}.")), "{body}");
    assert!(body.starts_with("Affordability"), "{body}");
    assert!(body.contains("Smith & Patel (2020) argue"), "{body}");
    let entry = page
        .select(&sel("#housing-supply-ref-ons2024"))
        .next()
        .unwrap();
    assert_eq!(fold(&text_of(entry)), ons_entry);
}

#[test]
fn a_locator_shows_in_the_citation() {
    let site = Site::fixture("bibliography");
    site.build_ok(&[]);
    let page = site.page(BRIEF);
    let note = note_text(&page, 4);
    assert!(
        note.starts_with(
            "See Smith and Patel, “Planning Constraints and the Supply of New Homes,” 112;"
        ),
        "{note}"
    );
    assert!(note_text(&page, 5).contains("sec. 3"));

    use_style(&site, "apa");
    site.build_ok(&[]);
    let body = text_of(site.page(BRIEF).select(&sel(".brief-body")).next().unwrap());
    assert!(body.contains("see Smith & Patel, 2020, p. 112"), "{body}");
}

#[test]
fn an_email_address_is_not_a_citation() {
    let site = Site::fixture("bibliography");
    let output = site.build_ok(&[]);
    assert!(!stderr(&output).contains("citation"), "{}", stderr(&output));
    let page = site.page(BRIEF);
    let body = text_of(page.select(&sel(".brief-body")).next().unwrap());
    assert!(body.contains("Write to press@example.org or user@example.org for the data."));
}

#[test]
fn an_unknown_key_fails_the_build_with_its_place_and_the_nearest_key() {
    let site = Site::fixture("bibliography");
    let brief = std::fs::read_to_string(site.root().join(BRIEF_FILE)).unwrap();
    site.write(
        BRIEF_FILE,
        &brief.replace("[@levelling2023, sec. 3]", "[@levelling2032, sec. 3]"),
    );
    let output = site.build(&[]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("unknown citation key `@levelling2032`"),
        "{err}"
    );
    assert!(err.contains(&format!("--> {BRIEF_FILE}:13:25")), "{err}");
    assert!(err.contains("did you mean `@levelling2023`?"), "{err}");
}

#[test]
fn a_malformed_bibliography_fails_the_build_naming_the_file_and_line() {
    let site = Site::fixture("bibliography");
    let path = "content/briefs/housing-supply/refs.bib";
    let bib = std::fs::read_to_string(site.root().join(path)).unwrap();
    // The article loses the brace that closes its title.
    site.write(
        path,
        &bib.replace(
            "title   = {Planning Constraints and the Supply of New Homes},",
            "title   = {Planning Constraints and the Supply of New Homes,",
        ),
    );
    let output = site.build(&[]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("does not parse as BibLaTeX"), "{err}");
    assert!(err.contains(&format!("--> {path}:")), "{err}");
}

#[test]
fn csl_json_bibliographies_are_cited_like_bibtex_ones() {
    let site = Site::fixture("bibliography");
    site.build_ok(&[]);
    let page = site.page("/briefs/heat-from-json/");
    let notes: Vec<String> = page.select(&sel("#notes li")).map(text_of).collect();
    assert_eq!(notes.len(), 2);
    assert!(
        notes[0].starts_with("International Energy Agency, The Future of Heat Pumps"),
        "{}",
        notes[0]
    );
    assert!(notes[0].contains(", 14,"), "{}", notes[0]);
    assert!(
        notes[1].starts_with("Robert Gross and Richard Hanna, “Heat Pump Uptake and Household Income,” Energy Policy 152"),
        "{}",
        notes[1]
    );
    assert_eq!(page.select(&sel("#references li")).count(), 2);
}

/// The bibliography fixture with its brief's `refs.bib` moved to `references.bib` at the
/// site's root and no longer named by the brief: `site.toml` is left to name it.
pub(crate) fn site_with_root_bibliography() -> Site {
    let site = Site::fixture("bibliography");
    std::fs::rename(
        site.root().join("content/briefs/housing-supply/refs.bib"),
        site.root().join("references.bib"),
    )
    .unwrap();
    let brief = std::fs::read_to_string(site.root().join(BRIEF_FILE)).unwrap();
    site.write(BRIEF_FILE, &brief.replace("bibliography: refs.bib\n", ""));
    site
}

#[test]
fn a_site_wide_bibliography_serves_briefs_that_name_none() {
    let site = site_with_root_bibliography();
    site.write(
        "site.toml",
        "title = \"Bibliography Institute\"\nbase_url = \"https://briefs.example.org\"\n\n\
         [citation]\nbibliography = [\"references.bib\"]\n",
    );
    site.build_ok(&[]);
    let page = site.page(BRIEF);
    assert_eq!(page.select(&sel("#references li")).count(), 4);
    // A name that does not exist is a settings error at its line.
    site.write(
        "site.toml",
        "title = \"Bibliography Institute\"\nbase_url = \"https://briefs.example.org\"\n\n\
         [citation]\nbibliography = \"refernces.bib\"\n",
    );
    let output = site.build(&[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--> site.toml:5:"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_bracketed_citation_without_a_bibliography_is_left_as_text_with_a_warning() {
    let site = Site::fixture("bibliography");
    let brief = std::fs::read_to_string(site.root().join(BRIEF_FILE)).unwrap();
    site.write(BRIEF_FILE, &brief.replace("bibliography: refs.bib\n", ""));
    let output = site.build_ok(&[]);
    let err = stderr(&output);
    assert!(
        err.contains("`[@ons2024]` looks like a citation, but the brief has no bibliography"),
        "{err}"
    );
    let body = text_of(site.page(BRIEF).select(&sel(".brief-body")).next().unwrap());
    assert!(body.contains("for a decade [@ons2024]."), "{body}");
    assert!(body.contains("@smith2020 argue"), "{body}");
}
