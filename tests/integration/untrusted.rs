//! Untrusted text: front-matter values are always escaped, and `[markdown] sanitize = true`
//! cleans bodies and notes while folio's own markup (notes linked both ways, sources,
//! figures, code) keeps working. The same payloads run in Chromium in tests/browser/xss.test.mjs.

use crate::common::{Site, sel, text_of};
use scraper::Html;

const PAYLOAD: &str = r#"<script>alert(1)</script><img src=x onerror=alert(2)>"'&"#;

fn sanitizing_site() -> Site {
    let site = Site::fixture("minimal");
    site.write(
        "site.toml",
        "title = \"Minimal Institute\"\nbase_url = \"https://briefs.example.org\"\n\
         [markdown]\nsanitize = true\n",
    );
    site
}

/// No `<script>` but the theme's and JSON-LD, no `on…` attribute, no `javascript:` URL.
fn assert_inert(html: &Html, page: &str) {
    for script in html.select(&sel("script")) {
        let kind = script.value().attr("type").unwrap_or("");
        let has_src = script.value().attr("src").is_some();
        assert!(
            kind == "application/ld+json" || has_src || !script.inner_html().contains("alert"),
            "{page}: a payload became a script: {}",
            script.html()
        );
    }
    for element in html.select(&sel("*")) {
        for (name, value) in element.value().attrs() {
            assert!(!name.starts_with("on"), "{page}: handler {name}={value}");
            assert!(
                !value.trim().to_lowercase().starts_with("javascript:"),
                "{page}: {name}={value}"
            );
        }
    }
}

#[test]
fn front_matter_values_are_escaped_in_every_field() {
    let site = Site::fixture("minimal");
    let quoted = serde_json::to_string(PAYLOAD).unwrap();
    site.write(
        "content/authors/ada-lovelace.md",
        &format!("---\nname: {quoted}\nrole: {quoted}\naffiliation: {quoted}\n---\n\nBio.\n"),
    );
    site.write(
        "content/briefs/first-brief.md",
        &format!(
            "---\ntitle: {quoted}\nsubtitle: {quoted}\nsummary: {quoted}\ndate: 2025-03-01\n\
             authors: [ada-lovelace]\ntopics: [{}]\ntype: {quoted}\n---\n\nBody.\n",
            serde_json::to_string(&format!("Energy {PAYLOAD}")).unwrap()
        ),
    );
    site.build_ok(&[]);
    for url in [
        "/",
        "/briefs/first-brief/",
        "/authors/",
        "/authors/ada-lovelace/",
        "/topics/",
    ] {
        let page = site.page(url);
        assert_inert(&page, url);
    }
    let brief = site.page("/briefs/first-brief/");
    let h1 = brief.select(&sel("h1")).next().expect("a title");
    assert_eq!(
        text_of(h1),
        PAYLOAD.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    let meta = brief
        .select(&sel("meta[name=description]"))
        .next()
        .expect("a meta description");
    assert_eq!(meta.value().attr("content"), Some(PAYLOAD));
}

#[test]
fn sanitize_removes_script_handlers_and_javascript_links_from_bodies_and_notes() {
    let site = sanitizing_site();
    site.write(
        "content/briefs/first-brief.md",
        "---\ntitle: First brief\ndate: 2025-03-01\nauthors: [ada-lovelace]\n---\n\n\
         <script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n\
         A <a href=\"javascript:alert(3)\">bad link</a> and <iframe src=\"https://evil.example/\"></iframe>.[^one]\n\n\
         <svg onload=alert(4)></svg>\n\n\
         [^one]: A note <img src=x onerror=alert(5)> <a href=\"JaVaScRiPt:alert(6)\">with a link</a>.\n",
    );
    site.build_ok(&[]);
    let text =
        std::fs::read_to_string(site.output().join("briefs/first-brief/index.html")).unwrap();
    for bad in ["alert(", "onerror", "<iframe", "<svg", "javascript:"] {
        assert!(!text.contains(bad), "{bad} reached the page");
    }
    assert_inert(&Html::parse_document(&text), "/briefs/first-brief/");
}

/// Notes, sources, figures and code keep their ids, classes and roles through the sanitiser.
#[test]
fn sanitize_keeps_footnote_round_trips_sources_and_figures() {
    let site = sanitizing_site();
    site.write(
        "content/briefs/first-brief.md",
        "---\ntitle: First brief\ndate: 2025-03-01\nauthors: [ada-lovelace]\n---\n\n\
         A claim.[^one] Another.[^two] The first again.[^one]\n\n\
         ![A chart](https://img.example.org/chart.png \"Rents\")\n\n\
         Source: [ONS](https://www.ons.gov.uk/).\n\n\
         ```rust\nfn main() {}\n```\n\n\
         [^one]: See [the report](https://example.org/report).\n\
         [^two]: Plain note.\n",
    );
    site.build_ok(&[]);
    let page = site.page("/briefs/first-brief/");
    let refs: Vec<_> = page.select(&sel("a[role=doc-noteref]")).collect();
    assert_eq!(refs.len(), 3);
    for reference in &refs {
        let target = reference
            .value()
            .attr("href")
            .unwrap()
            .trim_start_matches('#');
        let note = page
            .select(&sel(&format!("[id=\"{target}\"]")))
            .next()
            .unwrap_or_else(|| panic!("no note #{target}"));
        let back_ids: Vec<_> = note
            .select(&sel("a[role=doc-backlink]"))
            .map(|a| {
                a.value()
                    .attr("href")
                    .unwrap()
                    .trim_start_matches('#')
                    .to_string()
            })
            .collect();
        let id = reference
            .value()
            .attr("id")
            .expect("the reference has an id");
        assert!(
            back_ids.iter().any(|b| b == id),
            "note {target} links back to {id}"
        );
    }
    assert_eq!(page.select(&sel("figure[id] img[loading=lazy]")).count(), 1);
    assert_eq!(page.select(&sel("figcaption .credit a.ext[id]")).count(), 1);
    assert!(
        page.select(&sel("pre.code[data-lang=rust] code span[class]"))
            .count()
            > 0
    );
    assert!(
        page.select(&sel("#sources a[href='https://example.org/report']"))
            .count()
            >= 1
    );
}
