//! The PDF edition of each brief: made, linked from the page, holding what the page holds with
//! the same note numbers (each note on the page that cites it), safe with hostile text; checked
//! with poppler's tools (`pdftotext`, `pdfinfo`, `pdffonts`), as a reader's viewer would read it.

use crate::common::{Site, sel, text_of};
use scraper::{ElementRef, Html};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs a poppler tool on `pdf`; its standard output.
pub(crate) fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
    let output = Command::new(tool)
        .args(args)
        .arg(pdf)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("{tool} runs (apt-get install poppler-utils): {e}"));
    assert!(
        output.status.success(),
        "{tool} failed on {}",
        pdf.display()
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Letters and digits only, lowercased: text compared across line breaks and hyphenation.
pub(crate) fn letters(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The text of each page of `pdf`, as `letters`.
fn pages(pdf: &Path) -> Vec<String> {
    let info = poppler("pdfinfo", &[], pdf);
    let count: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives the page count");
    (1..=count)
        .map(|page| {
            let n = page.to_string();
            letters(&poppler("pdftotext", &["-f", &n, "-l", &n], pdf))
        })
        .collect()
}

/// The example site (the repository's root) built into a temporary folder.
fn example_site() -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let output = out.path().join("public");
    let built = crate::common::folio(&[
        "build",
        "--root",
        env!("CARGO_MANIFEST_DIR"),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    (out, output)
}

/// The briefs' pages in `output`: slug and parsed page.
fn brief_pages(output: &Path) -> Vec<(String, Html)> {
    let mut briefs: Vec<(String, Html)> = std::fs::read_dir(output.join("briefs"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("index.html").is_file())
        .map(|e| {
            let slug = e.file_name().to_string_lossy().into_owned();
            let html = std::fs::read_to_string(e.path().join("index.html")).unwrap();
            (slug, Html::parse_document(&html))
        })
        .collect();
    // Redirects from old addresses have no title.
    briefs.retain(|(_, page)| page.select(&sel("h1.brief-title")).next().is_some());
    briefs.sort_by(|a, b| a.0.cmp(&b.0));
    briefs
}

fn attr(html: &Html, css: &str, name: &str) -> String {
    html.select(&sel(css))
        .next()
        .and_then(|e| e.value().attr(name))
        .unwrap_or_else(|| panic!("no {css}[{name}]"))
        .to_string()
}

#[test]
fn example_briefs_each_have_a_pdf_linked_from_the_page_holding_what_it_holds() {
    let (_dir, output) = example_site();
    let briefs = brief_pages(&output);
    assert!(briefs.len() >= 4, "{} briefs", briefs.len());
    for (slug, page) in &briefs {
        let href = attr(page, "a.pdf-link", "href");
        assert_eq!(
            href,
            format!("{slug}.pdf"),
            "{slug}: the download keeps the slug"
        );
        assert_eq!(
            attr(
                page,
                r#"link[rel="alternate"][type="application/pdf"]"#,
                "href"
            ),
            href
        );
        let pdf = output.join("briefs").join(slug).join(&href);
        let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("{slug}: no PDF: {e}"));
        assert!(bytes.starts_with(b"%PDF-"), "{slug}");
        assert!(
            attr(page, r#"meta[name="citation_pdf_url"]"#, "content")
                .ends_with(&format!("/briefs/{slug}/{slug}.pdf"))
        );
        let size = text_of(page.select(&sel(".file-size")).next().expect("size shown"));
        assert_eq!(
            size,
            format!("({} KB)", (bytes.len() + 500) / 1000),
            "{slug}"
        );
        holds_what_the_page_holds(slug, page, &pdf);
        metadata_and_fonts(slug, page, &pdf);
        links_resolve(slug, &pdf, &output);
    }
}

/// Title, authors, every note, every figure's credit, the Sources and the bios.
fn holds_what_the_page_holds(slug: &str, page: &Html, pdf: &Path) {
    let text = letters(&poppler("pdftotext", &[], pdf));
    let mut wanted: Vec<(String, String)> = Vec::new();
    let mut add = |what: &str, css: &str| {
        for element in page.select(&sel(css)) {
            wanted.push((what.to_string(), letters(&text_of(element))));
        }
    };
    add("title", "h1.brief-title");
    add("author", ".byline-name");
    add("figure credit", "figcaption .credit");
    add("source", "#sources .source-url");
    add("bio", ".author-bio-body");
    for note in page.select(&sel("#notes li")) {
        let without_backlinks: String = note
            .children()
            .filter(|c| {
                ElementRef::wrap(*c).is_none_or(|e| e.value().attr("role") != Some("doc-backlink"))
            })
            .map(|c| match ElementRef::wrap(c) {
                Some(e) => text_of(e),
                None => c
                    .value()
                    .as_text()
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
            })
            .collect();
        wanted.push(("note".into(), letters(&without_backlinks)));
    }
    assert!(
        wanted.iter().any(|(what, _)| what == "note"),
        "{slug} has notes"
    );
    for (what, words) in wanted {
        assert!(
            text.contains(&words),
            "{slug}: the PDF lacks the {what} `{words}`"
        );
    }
}

fn metadata_and_fonts(slug: &str, page: &Html, pdf: &Path) {
    let info = poppler("pdfinfo", &[], pdf);
    let title = text_of(page.select(&sel("h1.brief-title")).next().unwrap());
    assert!(
        info.contains(&format!("Title:           {title}")),
        "{slug}: {info}"
    );
    let author_line = info
        .lines()
        .find(|l| l.starts_with("Author:"))
        .unwrap_or("");
    for author in page.select(&sel(".byline-name")) {
        assert!(
            author_line.contains(&text_of(author)),
            "{slug}: {author_line}"
        );
    }
    let fonts = poppler("pdffonts", &[], pdf);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{slug}: no fonts");
    for row in rows {
        let columns: Vec<&str> = row.split_whitespace().collect();
        let embedded = columns[columns.len() - 5];
        assert_eq!(embedded, "yes", "{slug}: font not embedded: {row}");
    }
}

/// Every link into the site leads to a file of the built site.
fn links_resolve(slug: &str, pdf: &Path, output: &Path) {
    let urls = poppler("pdfinfo", &["-url"], pdf);
    let base = "https://briefs.meridian-institute.org/";
    let mut inside = 0;
    for url in urls.lines().filter_map(|l| l.split_whitespace().last()) {
        if let Some(path) = url.strip_prefix(base) {
            inside += 1;
            let path = path.split('#').next().unwrap();
            let file = if path.is_empty() || path.ends_with('/') {
                output.join(path).join("index.html")
            } else {
                output.join(path)
            };
            assert!(
                file.is_file(),
                "{slug}: the PDF links to {url}, not in the site"
            );
        }
    }
    assert!(inside > 0, "{slug}: no link into the site in {urls}");
}

#[test]
fn note_numbers_are_the_pages_and_each_note_is_on_the_page_that_cites_it() {
    let (_dir, output) = example_site();
    for (slug, page) in brief_pages(&output) {
        let pdf = output.join(format!("briefs/{slug}/{slug}.pdf"));
        let pages = pages(&pdf);
        let mut seen = std::collections::HashSet::new();
        for reference in page.select(&sel(".brief-body sup.fn-ref")) {
            let number = text_of(reference);
            if !seen.insert(number.clone()) {
                continue;
            }
            // The words either side: a paragraph may break across pages on either side.
            let (before, after) = text_around(reference);
            let cited_at: Vec<String> = [
                (&before, format!("{before}{number}")),
                (&after, format!("{number}{after}")),
            ]
            .into_iter()
            .filter(|(words, _)| words.len() >= 8)
            .map(|(_, at)| at)
            .collect();
            let note_id = attr_of(reference, "a", "href");
            let note = page
                .select(&sel(&format!("li[id='{}']", &note_id[1..])))
                .next()
                .unwrap_or_else(|| panic!("{slug}: note {number} listed"));
            let note_start: String = letters(&text_of(note)).chars().take(30).collect();
            let on = pages
                .iter()
                .position(|p| cited_at.iter().any(|at| p.contains(at)));
            let on = on
                .unwrap_or_else(|| panic!("{slug}: reference {number} ({cited_at:?}) in no page"));
            assert!(
                pages[on].contains(&format!("{number}{note_start}")),
                "{slug}: note {number} (`{note_start}`) is not at the foot of page {}",
                on + 1
            );
        }
        assert!(!seen.is_empty(), "{slug} cites notes");
    }
}

/// The last letters before a note reference in its paragraph, and the first after it.
fn text_around(reference: ElementRef<'_>) -> (String, String) {
    let block = reference
        .ancestors()
        .filter_map(ElementRef::wrap)
        .find(|e| matches!(e.value().name(), "p" | "li" | "td" | "figcaption"))
        .expect("a reference sits in a block");
    let html = block.inner_html();
    let marker = reference.html();
    let cut = html.find(&marker).expect("the reference is in its block");
    let words = |html: &str| {
        letters(
            &Html::parse_fragment(html)
                .root_element()
                .text()
                .collect::<String>(),
        )
    };
    let before = words(&html[..cut]);
    let after = words(&html[cut + marker.len()..]);
    let keep = before.chars().count().min(16);
    let before = before.chars().skip(before.chars().count() - keep).collect();
    (before, after.chars().take(16).collect())
}

fn attr_of(element: ElementRef<'_>, css: &str, name: &str) -> String {
    element
        .select(&sel(css))
        .next()
        .and_then(|e| e.value().attr(name))
        .unwrap()
        .to_string()
}

/// Text that Typst would run as code if it were pasted into markup.
const HOSTILE: &str = r#"#import "/etc/passwd": * $x^2$ @key <label> *bold* _it_ \ \u{41} #panic("boom") ]) <b>html</b> = Heading - item 1. one // comment /* open ~ -- ... "quote" Supercalifragilisticexpialidociouslyunhyphenatablewordthatgoesonandonandonforeverandever مرحبا بالعالم 😀🎉"#;

#[test]
fn hostile_text_in_every_field_typesets_as_text() {
    let site = Site::fixture("minimal");
    let quoted = serde_json::to_string(HOSTILE).unwrap();
    site.write(
        "site.toml",
        &format!(
            "title = {quoted}\nbase_url = \"https://briefs.example.org\"\n\
             [organization]\nname = {quoted}\nemail = {quoted}\naddress = {quoted}\n\
             about = {quoted}\n"
        ),
    );
    site.write(
        "content/authors/ada-lovelace.md",
        &format!(
            "---\nname: {quoted}\nrole: {quoted}\naffiliation: {quoted}\n---\n\n{}\n",
            markdown_escaped(HOSTILE)
        ),
    );
    let md = markdown_escaped(HOSTILE);
    site.write(
        "content/briefs/first-brief.md",
        &format!(
            "---\ntitle: {quoted}\nsubtitle: {quoted}\nsummary: {quoted}\ndate: 2025-03-01\n\
             authors: [ada-lovelace]\ntopics: [{}]\ntype: {quoted}\n---\n\n\
             {md}[^n]\n\n## {md}\n\n- {md}\n\n> {md}\n\n| {md} | b |\n|---|---|\n| {md} | 2 |\n\n\
             Table: {md}\n\n```\n{HOSTILE}\n```\n\nInline `{HOSTILE}` and [{md}](https://example.org/?q=%22).\n\n\
             [^n]: {md}\n",
            serde_json::to_string(&format!("Energy {HOSTILE}")).unwrap()
        ),
    );
    let built = site.build(&[]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let pdf = site.output().join("briefs/first-brief/first-brief.pdf");
    let text = poppler("pdftotext", &["-raw"], &pdf);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for literal in [
        "#import",
        "$x^2$",
        "@key",
        "<label>",
        "*bold*",
        "#panic(\"boom\")",
        "<b>html",
        "مرحبا",
    ] {
        let times = flat.matches(literal).count();
        assert!(times >= 8, "`{literal}` printed {times} times:\n{flat}");
    }
    let info = poppler("pdfinfo", &[], &pdf);
    assert!(info.contains("#import"), "{info}");
}

/// `text` as Markdown that shows it as written.
fn markdown_escaped(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[test]
fn settings_paper_and_a_briefs_own_pdf_are_followed_and_a_template_can_be_overridden() {
    let site = Site::fixture("features");
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        &format!("{toml}\n[pdf]\npaper = \"us-letter\"\n"),
    );
    site.build_ok(&[]);
    let own = site.page("/briefs/older-brief/");
    assert_eq!(attr(&own, "a.pdf-link", "href"), "older-brief.pdf");
    assert_eq!(
        std::fs::read(site.output().join("briefs/older-brief/older-brief.pdf")).unwrap(),
        std::fs::read(site.root().join("content/briefs/older-brief.pdf")).unwrap(),
        "a brief's own PDF is kept"
    );
    let made = site.output().join("briefs/notes-twice/notes-twice.pdf");
    let info = poppler("pdfinfo", &[], &made);
    assert!(info.contains("612 x 792 pts (letter)"), "{info}");

    site.write(
        "pdf/brief.typ",
        "#let brief = json(\"/_folio/brief.json\")\n= Overridden: #brief.title\n",
    );
    site.build_ok(&[]);
    assert!(poppler("pdftotext", &[], &made).contains("Overridden"));

    site.write("site.toml", &format!("{toml}\n[pdf]\nenabled = false\n"));
    site.build_ok(&[]);
    assert!(!made.exists(), "no PDF when [pdf] enabled = false");
    let page = site.page("/briefs/notes-twice/");
    assert!(page.select(&sel("a.pdf-link")).next().is_none());
}

#[test]
fn a_brief_whose_pdf_cannot_be_typeset_is_an_error_at_the_brief() {
    let site = Site::fixture("minimal");
    site.write(
        "content/briefs/broken-chart/index.md",
        "---\ntitle: Broken chart\ndate: 2025-03-02\nauthors: [ada-lovelace]\n---\n\n\
         ![A chart](chart.png \"A chart\")\n",
    );
    site.write("content/briefs/broken-chart/chart.png", "not a PNG at all");
    let built = site.build(&[]);
    let stderr = crate::common::assert_exit(&built, 1);
    assert!(
        stderr.contains("broken-chart/index.md") && stderr.contains("PDF could not be typeset"),
        "{stderr}"
    );
}
