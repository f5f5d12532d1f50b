//! Metadata on brief pages for indexers and sharing: canonical link, description, Open Graph
//! and Twitter tags, Highwire `citation_*` tags and JSON-LD; and the PDF edition offered for
//! download with its size.

use crate::common::{Site, sel, stderr, text_of, url_to_file};
use scraper::Html;
use serde_json::Value;

fn built() -> Site {
    let site = Site::fixture("features");
    site.build_ok(&[]);
    site
}

/// The `content` of every `<meta>` with this `name` (or `property`), in order.
fn meta(page: &Html, name: &str) -> Vec<String> {
    page.select(&sel(&format!(
        "head meta[name='{name}'], head meta[property='{name}']"
    )))
    .map(|m| m.value().attr("content").unwrap().to_string())
    .collect()
}

fn one(page: &Html, name: &str) -> String {
    let values = meta(page, name);
    assert_eq!(values.len(), 1, "{name}: {values:?}");
    values[0].clone()
}

fn json_ld(page: &Html) -> Value {
    let scripts: Vec<_> = page
        .select(&sel("script[type='application/ld+json']"))
        .collect();
    assert_eq!(scripts.len(), 1, "one JSON-LD block");
    let text: String = scripts[0].text().collect();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("JSON-LD does not parse: {e}\n{text}"))
}

#[test]
fn brief_pages_carry_canonical_description_open_graph_and_twitter_tags() {
    let site = built();
    let page = site.page("/briefs/notes-twice/");
    let canonical: Vec<_> = page.select(&sel("head link[rel=canonical]")).collect();
    assert_eq!(canonical.len(), 1);
    assert_eq!(
        canonical[0].value().attr("href"),
        Some("https://fixture.example.org/briefs/notes-twice/")
    );
    let summary = "Checks footnote numbering and back links.";
    assert_eq!(one(&page, "description"), summary);
    assert_eq!(one(&page, "og:title"), "Notes Cited Twice");
    assert_eq!(one(&page, "og:description"), summary);
    assert_eq!(one(&page, "og:type"), "article");
    assert_eq!(
        one(&page, "og:url"),
        "https://fixture.example.org/briefs/notes-twice/"
    );
    assert_eq!(one(&page, "og:site_name"), "Fixture Institute");
    assert_eq!(one(&page, "article:published_time"), "2025-04-02");
    assert_eq!(
        meta(&page, "article:author"),
        [
            "https://fixture.example.org/authors/ada-lovelace/",
            "https://fixture.example.org/authors/charles-babbage/"
        ]
    );
    assert_eq!(one(&page, "twitter:card"), "summary");
    // X reads the title and description from Open Graph: no second copy of them.
    assert_eq!(page.select(&sel("meta[name^='twitter:title']")).count(), 0);
    assert_eq!(
        page.select(&sel("meta[name^='twitter:description']"))
            .count(),
        0
    );
    assert!(meta(&page, "og:image").is_empty(), "no image, no og:image");

    let with_image = site.page("/briefs/with-figures/");
    let image = "https://fixture.example.org/briefs/with-figures/installs.svg";
    assert_eq!(one(&with_image, "og:image"), image);
    assert_eq!(one(&with_image, "twitter:image"), image);
    assert_eq!(one(&with_image, "twitter:card"), "summary_large_image");
    assert_eq!(one(&with_image, "article:modified_time"), "2025-05-20");
}

#[test]
fn highwire_tags_name_title_each_author_date_publisher_pdf_and_doi() {
    let site = built();
    let page = site.page("/briefs/notes-twice/");
    assert_eq!(one(&page, "citation_title"), "Notes Cited Twice");
    assert_eq!(
        meta(&page, "citation_author"),
        ["Ada Lovelace", "Charles Babbage"],
        "one citation_author per author, in order"
    );
    assert_eq!(one(&page, "citation_publication_date"), "2025/04/02");
    assert_eq!(one(&page, "citation_publisher"), "Fixture Institute");
    assert_eq!(
        one(&page, "citation_technical_report_institution"),
        "Fixture Institute"
    );
    assert!(
        one(&page, "citation_pdf_url").ends_with("/briefs/notes-twice/notes-twice.pdf"),
        "a brief without a PDF of its own has the one folio typesets"
    );
    assert!(meta(&page, "citation_doi").is_empty());
    assert!(
        meta(&page, "citation_reference").is_empty(),
        "no bibliography, no citation_reference"
    );

    let older = site.page("/briefs/older-brief/");
    assert_eq!(meta(&older, "citation_author"), ["Charles Babbage"]);
    assert_eq!(one(&older, "citation_publication_date"), "2024/01/15");
    assert_eq!(
        one(&older, "citation_pdf_url"),
        "https://fixture.example.org/briefs/older-brief/older-brief.pdf"
    );
    assert_eq!(one(&older, "citation_doi"), "10.5555/fixture.2024.0001");
}

#[test]
fn json_ld_describes_the_report_with_authors_dates_publisher_and_citations() {
    let site = built();
    let page = site.page("/briefs/notes-twice/");
    let data = json_ld(&page);
    assert_eq!(data["@context"], "https://schema.org");
    assert_eq!(data["@type"], "Report");
    assert_eq!(data["headline"], "Notes Cited Twice");
    assert_eq!(
        data["url"],
        "https://fixture.example.org/briefs/notes-twice/"
    );
    assert_eq!(data["datePublished"], "2025-04-02");
    assert_eq!(data["dateModified"], "2025-04-02");
    assert_eq!(
        data["description"],
        "Checks footnote numbering and back links."
    );
    let authors: Vec<&str> = data["author"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(authors, ["Ada Lovelace", "Charles Babbage"]);
    assert_eq!(data["author"][0]["@type"], "Person");
    assert_eq!(
        data["author"][0]["url"],
        "https://fixture.example.org/authors/ada-lovelace/"
    );
    assert_eq!(data["publisher"]["@type"], "Organization");
    assert_eq!(data["publisher"]["name"], "Fixture Institute");
    let sources: Vec<String> = page
        .select(&sel("section#sources a.source-url"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    let citations: Vec<String> = data["citation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(citations, sources, "the brief's sources are its citations");

    let older = json_ld(&site.page("/briefs/older-brief/"));
    assert_eq!(older["identifier"]["value"], "10.5555/fixture.2024.0001");
    assert_eq!(
        older["encoding"][0]["contentUrl"],
        "https://fixture.example.org/briefs/older-brief/older-brief.pdf"
    );
}

#[test]
fn a_title_that_closes_the_script_element_stays_inside_the_json() {
    let site = Site::fixture("features");
    let title = "</script><script>alert(1)</script><!--<script>";
    site.write(
        "content/briefs/hostile.md",
        &format!("---\ntitle: '{title}'\ndate: 2023-01-01\nauthors: [ada-lovelace]\n---\nText.\n"),
    );
    site.build_ok(&[]);
    let page = site.page("/briefs/hostile/");
    assert_eq!(json_ld(&page)["name"], title);
    for script in page.select(&sel("script")) {
        let text: String = script.text().collect();
        assert_ne!(
            text.trim(),
            "alert(1)",
            "the title became a script of its own"
        );
    }
    assert_eq!(
        text_of(page.select(&sel("h1")).next().unwrap()),
        title,
        "and the heading shows it as text"
    );
    assert_eq!(one(&page, "citation_title"), title);
    let feed = std::fs::read_to_string(site.output().join("atom.xml")).unwrap();
    let feed = roxmltree::Document::parse(&feed).expect("the feed is still XML");
    let titles: Vec<&str> = feed
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text())
        .collect();
    assert!(titles.contains(&title), "{titles:?}");
}

#[test]
fn an_article_type_is_a_scholarly_article() {
    let site = Site::fixture("features");
    site.write(
        "content/briefs/article.md",
        "---\ntitle: An Article\ndate: 2023-01-01\nauthors: [ada-lovelace]\ntype: Journal Article\n---\nText.\n",
    );
    site.build_ok(&[]);
    assert_eq!(
        json_ld(&site.page("/briefs/article/"))["@type"],
        "ScholarlyArticle"
    );
}

#[test]
fn an_attached_pdf_is_offered_for_download_with_its_size() {
    let site = built();
    for (brief, file) in [
        ("/briefs/older-brief/", "older-brief.pdf"),
        ("/briefs/with-figures/", "edition.pdf"),
    ] {
        let page = site.page(brief);
        let link = page
            .select(&sel("a.pdf-link[download]"))
            .next()
            .expect("a PDF link");
        assert_eq!(link.value().attr("href"), Some(file));
        let copied = url_to_file(&site.output(), &format!("{brief}{file}"));
        let bytes = std::fs::metadata(&copied)
            .unwrap_or_else(|_| panic!("{file} copied beside {brief}"))
            .len();
        assert_eq!(bytes, 193);
        let size = text_of(page.select(&sel(".file-size")).next().expect("the size"));
        assert_eq!(size, "(193 bytes)");
    }
}

#[test]
fn a_missing_pdf_fails_the_build_naming_the_file_and_line() {
    let site = Site::fixture("features");
    let path = site.root().join("content/briefs/older-brief.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("pdf: older-brief.pdf", "pdf: missing.pdf"),
    )
    .unwrap();
    let run = site.build(&[]);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    assert!(
        err.contains("the PDF `missing.pdf` is not beside the brief"),
        "{err}"
    );
    assert!(err.contains("content/briefs/older-brief.md:7:6"), "{err}");
}
