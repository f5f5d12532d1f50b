//! "Cite this brief": the formatted reference in the site's CSL style (the same text hayagriva
//! gives for the same entry), and `cite.bib` / `cite.ris` beside the page, which parse as BibTeX
//! and RIS.

use crate::common::{Site, sel, stderr, text_of, url_to_file};
use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::{IndependentStyle, Style};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, BufWriteFormat, CitationItem, CitationRequest,
};

/// The notes-twice brief as a hayagriva entry, written independently of folio's code.
const NOTES_TWICE: &str = r#"
notes-twice:
  type: report
  title: "Notes Cited Twice: A brief whose footnotes are cited once and twice"
  author: ["Lovelace, Ada", "Babbage, Charles"]
  date: 2025-04-02
  publisher: Fixture Institute
  genre: Commentary
  url: https://fixture.example.org/briefs/notes-twice/
"#;

/// hayagriva's own reference-list text for the entry in a bundled style.
fn hayagriva_reference(style: &str) -> String {
    let library = hayagriva::io::from_yaml_str(NOTES_TWICE).unwrap();
    let entry = library.get("notes-twice").unwrap();
    let Style::Independent(style): Style = ArchivedStyle::by_name(style).unwrap().get() else {
        panic!("an independent style")
    };
    let style: IndependentStyle = style;
    let locales = hayagriva::archive::locales();
    let mut driver = BibliographyDriver::new();
    driver.citation(CitationRequest::from_items(
        vec![CitationItem::with_entry(entry)],
        &style,
        &locales,
    ));
    let rendered = driver.finish(BibliographyRequest::new(&style, None, &locales));
    let item = &rendered.bibliography.unwrap().items[0];
    let mut text = String::new();
    item.content
        .write_buf(&mut text, BufWriteFormat::Plain)
        .unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn citation_text(site: &Site, brief: &str) -> String {
    let page = site.page(brief);
    text_of(
        page.select(&sel("section#cite .citation"))
            .next()
            .expect("a citation"),
    )
}

#[test]
fn the_cite_box_shows_the_reference_in_chicago_notes_by_default() {
    let site = Site::fixture("features");
    site.build_ok(&[]);
    let expected = hayagriva_reference("chicago-notes");
    assert_eq!(citation_text(&site, "/briefs/notes-twice/"), expected);
    assert_eq!(
        expected,
        "Lovelace, Ada, and Charles Babbage. Notes Cited Twice: A Brief Whose Footnotes Are Cited \
         Once and Twice. Commentary. Fixture Institute, 2025. https://fixture.example.org/briefs/notes-twice/."
    );
    let page = site.page("/briefs/notes-twice/");
    let title = page
        .select(&sel("section#cite .citation i"))
        .next()
        .unwrap();
    assert_eq!(
        text_of(title),
        "Notes Cited Twice: A Brief Whose Footnotes Are Cited Once and Twice",
        "the style's italics are kept, over the subtitle too"
    );
    let style = text_of(
        page.select(&sel("section#cite .cite-style"))
            .next()
            .unwrap(),
    );
    assert!(style.starts_with("Chicago Manual of Style"), "{style}");
}

#[test]
fn the_style_named_in_site_toml_formats_the_citation() {
    let site = Site::fixture("features");
    let settings = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        &format!("{settings}\n[citation]\nstyle = \"apa\"\n"),
    );
    site.build_ok(&[]);
    let text = citation_text(&site, "/briefs/notes-twice/");
    assert_eq!(text, hayagriva_reference("apa"));
    assert!(
        text.starts_with("Lovelace, A., & Babbage, C. (2025"),
        "{text}"
    );
}

#[test]
fn an_unknown_citation_style_is_a_settings_error_with_a_suggestion() {
    let site = Site::fixture("features");
    let settings = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        &format!("{settings}\n[citation]\nstyle = \"chicago-note\"\n"),
    );
    let run = site.build(&[]);
    assert_eq!(run.status.code(), Some(2));
    let err = stderr(&run);
    assert!(
        err.contains("unknown citation style `chicago-note`"),
        "{err}"
    );
    assert!(err.contains("did you mean `chicago-notes`?"), "{err}");
    let line = settings.lines().count() + 3;
    assert!(err.contains(&format!("site.toml:{line}:")), "{err}");
}

#[test]
fn cite_files_are_linked_for_download_beside_the_page() {
    let site = Site::fixture("features");
    site.build_ok(&[]);
    let page = site.page("/briefs/notes-twice/");
    let downloads: Vec<&str> = page
        .select(&sel("section#cite a[download]"))
        .map(|a| a.value().attr("href").unwrap())
        .collect();
    assert_eq!(
        downloads,
        [
            "/briefs/notes-twice/cite.bib",
            "/briefs/notes-twice/cite.ris"
        ]
    );
    for href in downloads {
        assert!(url_to_file(&site.output(), href).is_file(), "{href}");
    }
}

#[test]
fn cite_bib_parses_as_bibtex_with_the_briefs_fields() {
    let site = Site::fixture("features");
    site.build_ok(&[]);
    let text = std::fs::read_to_string(site.output().join("briefs/older-brief/cite.bib")).unwrap();
    let bibliography = biblatex::Bibliography::parse(&text)
        .unwrap_or_else(|e| panic!("cite.bib is not BibTeX: {e:?}\n{text}"));
    assert_eq!(bibliography.len(), 1);
    let entry = bibliography.get("older-brief").expect("keyed by slug");
    assert_eq!(entry.entry_type, biblatex::EntryType::TechReport);
    let field = |name: &str| {
        use biblatex::ChunksExt;
        entry
            .get(name)
            .unwrap_or_else(|| panic!("no {name} in\n{text}"))
            .format_verbatim()
    };
    assert_eq!(field("title"), "An Older Brief");
    assert_eq!(field("institution"), "Fixture Institute");
    assert_eq!(field("year"), "2024");
    assert_eq!(
        field("date"),
        "2024-01-15",
        "the full date, as biblatex reads it"
    );
    assert!(
        text.lines().any(|l| l == "month = jan,"),
        "the month as BibTeX's macro:\n{text}"
    );
    assert!(
        !text.contains("\nday = "),
        "no `day`, which BibTeX lacks:\n{text}"
    );
    assert_eq!(field("doi"), "10.5555/fixture.2024.0001");
    assert_eq!(
        field("url"),
        "https://fixture.example.org/briefs/older-brief/"
    );
    let authors = entry.author().unwrap();
    assert_eq!(authors.len(), 1);
    assert_eq!(
        (authors[0].given_name.as_str(), authors[0].name.as_str()),
        ("Charles", "Babbage")
    );

    let two = std::fs::read_to_string(site.output().join("briefs/notes-twice/cite.bib")).unwrap();
    let two = biblatex::Bibliography::parse(&two).unwrap();
    let names: Vec<String> = two
        .iter()
        .next()
        .unwrap()
        .author()
        .unwrap()
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(names, ["Lovelace", "Babbage"]);
}

/// A strict RIS reader: every line `XX  - value` (two capitals or a capital and a digit, two
/// spaces, a hyphen, a space), CR LF line ends, `TY` first, `ER` last and only last.
fn parse_ris(text: &str) -> Vec<(String, String)> {
    let body = text.strip_suffix("\r\n").expect("ends with CR LF");
    let mut fields = Vec::new();
    for line in body.split("\r\n") {
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "stray line break: {line:?}"
        );
        let bytes = line.as_bytes();
        assert!(
            bytes.len() >= 6
                && bytes[0].is_ascii_uppercase()
                && (bytes[1].is_ascii_uppercase() || bytes[1].is_ascii_digit())
                && &line[2..6] == "  - ",
            "not a RIS line: {line:?}"
        );
        fields.push((line[..2].to_string(), line[6..].to_string()));
    }
    assert_eq!(fields.first().map(|f| f.0.as_str()), Some("TY"), "TY first");
    assert_eq!(fields.last().map(|f| f.0.as_str()), Some("ER"), "ER last");
    assert_eq!(fields.iter().filter(|f| f.0 == "ER").count(), 1);
    assert_eq!(fields.iter().filter(|f| f.0 == "TY").count(), 1);
    for required in ["TI", "AU", "PY", "UR"] {
        assert!(fields.iter().any(|f| f.0 == required), "{required} missing");
    }
    fields
}

#[test]
fn cite_ris_parses_as_ris_with_the_briefs_fields() {
    let site = Site::fixture("features");
    site.build_ok(&[]);
    let text = std::fs::read_to_string(site.output().join("briefs/notes-twice/cite.ris")).unwrap();
    let fields = parse_ris(&text);
    let values = |tag: &str| -> Vec<&str> {
        fields
            .iter()
            .filter(|f| f.0 == tag)
            .map(|f| f.1.as_str())
            .collect()
    };
    assert_eq!(values("TY"), ["RPRT"]);
    assert_eq!(
        values("TI"),
        ["Notes Cited Twice: A brief whose footnotes are cited once and twice"]
    );
    assert_eq!(values("AU"), ["Lovelace, Ada", "Babbage, Charles"]);
    assert_eq!(values("PY"), ["2025"]);
    assert_eq!(values("DA"), ["2025/04/02"]);
    assert_eq!(values("PB"), ["Fixture Institute"]);
    assert_eq!(
        values("UR"),
        ["https://fixture.example.org/briefs/notes-twice/"]
    );
    assert_eq!(values("KW"), ["Public Finance", "Energy Transition"]);
    let older = std::fs::read_to_string(site.output().join("briefs/older-brief/cite.ris")).unwrap();
    let older = parse_ris(&older);
    assert!(older.contains(&("DO".to_string(), "10.5555/fixture.2024.0001".to_string())));
}
