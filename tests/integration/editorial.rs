//! The editorial desk's features: briefs scheduled for later (`SOURCE_DATE_EPOCH`, `--future`).

use crate::common::{Site, folio_command, sel, text_of};
use std::path::{Path, PathBuf};
use std::process::Output;

/// 2026-01-05T00:00:00Z.
const JAN_5: &str = "1767571200";
const SCHEDULED_TITLE: &str = "Grid Storage After the Winter Peak";
const SCHEDULED_SLUG: &str = "grid-storage-after-the-winter-peak";

/// The minimal site with a brief dated `date`, and a published one linking to `link` if any.
fn site_with_scheduled(date: &str, link: Option<&str>) -> Site {
    let site = Site::fixture("minimal");
    site.write(
        &format!("content/briefs/{SCHEDULED_SLUG}.md"),
        &format!(
            "---\ntitle: {SCHEDULED_TITLE}\ndate: {date}\nauthors: [ada-lovelace]\n\
             topics: [Storage Economics]\nsummary: Batteries after the peak.\n---\n\n\
             Storage text with a [source](https://storage.example.org/report).\n"
        ),
    );
    let body = match link {
        Some(link) => format!("See [the coming brief]({link})."),
        None => "A published brief.".to_string(),
    };
    site.write(
        "content/briefs/first-brief.md",
        &format!(
            "---\ntitle: First brief\ndate: 2025-03-01\nauthors: [ada-lovelace]\n\
             summary: The first.\n---\n\n{body}\n"
        ),
    );
    site
}

/// `folio <args>` on the site at the build time `epoch`.
fn folio_at(site: &Site, epoch: &str, args: &[&str]) -> Output {
    folio_command(Path::new(env!("CARGO_BIN_EXE_folio")))
        .args(args)
        .arg("--root")
        .arg(site.root())
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .expect("folio runs")
}

/// Every file of the output whose bytes mention `needle`.
fn files_mentioning(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_mentioning(&path, needle));
        } else if String::from_utf8_lossy(&std::fs::read(&path).unwrap()).contains(needle) {
            found.push(path);
        }
    }
    found
}

#[test]
fn a_brief_dated_after_the_build_time_is_nowhere_in_the_output_until_future() {
    let site = site_with_scheduled("2026-01-10", None);
    let built = folio_at(&site, JAN_5, &["build"]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    for needle in [
        SCHEDULED_TITLE,
        SCHEDULED_SLUG,
        "Storage Economics",
        "storage.example.org",
    ] {
        let found = files_mentioning(&site.output(), needle);
        assert!(found.is_empty(), "{needle:?} is in {found:?}");
    }
    assert!(
        site.output()
            .join("briefs/first-brief/index.html")
            .is_file()
    );
    let built = folio_at(&site, JAN_5, &["build", "--future"]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    for page in [
        "briefs/grid-storage-after-the-winter-peak/index.html",
        "index.html",
        "atom.xml",
        "sitemap.xml",
    ] {
        let text = std::fs::read_to_string(site.output().join(page)).unwrap();
        assert!(text.contains(SCHEDULED_SLUG), "{page} lacks the brief");
    }
    let page = site.page(&format!("/briefs/{SCHEDULED_SLUG}/"));
    let banner = page.select(&sel(".draft-banner")).next().expect("a banner");
    assert!(
        text_of(banner).contains("Scheduled for 10 January 2026"),
        "{}",
        text_of(banner)
    );
}

#[test]
fn a_date_with_a_time_and_offset_is_due_at_that_instant() {
    // 09:00 at +01:00 is 08:00 UTC on 5 January 2026.
    let site = site_with_scheduled("2026-01-05T09:00:00+01:00", None);
    let page = site
        .output()
        .join(format!("briefs/{SCHEDULED_SLUG}/index.html"));
    let seven = (JAN_5.parse::<i64>().unwrap() + 7 * 3600).to_string();
    assert!(folio_at(&site, &seven, &["build"]).status.success());
    assert!(!page.exists(), "scheduled at 07:00 UTC");
    let nine = (JAN_5.parse::<i64>().unwrap() + 9 * 3600).to_string();
    assert!(folio_at(&site, &nine, &["build"]).status.success());
    assert!(page.is_file(), "published at 09:00 UTC");
    let listed = site.page("/");
    let date = listed
        .select(&sel("time[datetime='2026-01-05']"))
        .next()
        .expect("listed with its date");
    assert!(text_of(date).contains("5 January 2026"));
}

#[test]
fn a_link_from_a_published_brief_to_a_scheduled_one_is_an_error() {
    let site = site_with_scheduled("2026-01-10", Some(&format!("/briefs/{SCHEDULED_SLUG}/")));
    let built = folio_at(&site, JAN_5, &["build"]);
    let err = String::from_utf8_lossy(&built.stderr);
    assert_eq!(built.status.code(), Some(1), "{err}");
    assert!(err.contains("content/briefs/first-brief.md:8:"), "{err}");
    assert!(err.contains("a brief scheduled for 2026-01-10"), "{err}");
    let checked = folio_at(&site, JAN_5, &["check"]);
    assert_eq!(checked.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&checked.stderr).contains("scheduled for 2026-01-10"));
    // Once it is due, the link is an ordinary one.
    let jan_11 = (JAN_5.parse::<i64>().unwrap() + 6 * 86400).to_string();
    assert!(folio_at(&site, &jan_11, &["build"]).status.success());
}

#[test]
fn check_lists_scheduled_briefs_as_notes_that_fail_nothing() {
    let site = site_with_scheduled("2026-01-10", None);
    let checked = folio_at(
        &site,
        JAN_5,
        &["check", "--format", "json", "--deny-warnings"],
    );
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let notes: Vec<serde_json::Value> = String::from_utf8_lossy(&checked.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|d: &serde_json::Value| d["severity"] == "note")
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(
        notes[0]["path"],
        format!("content/briefs/{SCHEDULED_SLUG}.md")
    );
    assert_eq!(notes[0]["line"], 3, "at the date");
    assert!(
        notes[0]["message"]
            .as_str()
            .unwrap()
            .contains("scheduled for 2026-01-10")
    );
}

#[test]
fn a_bad_source_date_epoch_is_a_settings_error() {
    let site = site_with_scheduled("2026-01-10", None);
    let built = folio_at(&site, "yesterday", &["build"]);
    assert_eq!(built.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&built.stderr).contains("SOURCE_DATE_EPOCH"));
}

// --- Redirects --------------------------------------------------------------------------

/// The minimal site whose first brief lists `aliases` (YAML flow list items).
fn site_with_aliases(aliases: &str) -> Site {
    let site = Site::fixture("minimal");
    site.write(
        "content/briefs/first-brief.md",
        &format!(
            "---\ntitle: First brief\ndate: 2025-03-01\nauthors: [ada-lovelace]\n\
             aliases: [{aliases}]\n---\n\nThe text.\n"
        ),
    );
    site
}

#[test]
fn each_alias_is_a_redirect_page_and_a_line_of_redirects() {
    let site = site_with_aliases("/briefs/old-slug/, /2024/05/some-path, /old.html");
    site.build_ok(&[]);
    for old in ["/briefs/old-slug/", "/2024/05/some-path/", "/old.html"] {
        let page = site.page(old);
        let refresh = page
            .select(&sel("meta[http-equiv=refresh]"))
            .next()
            .unwrap_or_else(|| panic!("{old} has no refresh"));
        assert_eq!(
            refresh.value().attr("content"),
            Some("0; url=/briefs/first-brief/")
        );
        let canonical = page.select(&sel("link[rel=canonical]")).next().unwrap();
        assert_eq!(
            canonical.value().attr("href"),
            Some("https://briefs.example.org/briefs/first-brief/")
        );
        assert!(
            page.select(&sel("meta[name=robots][content=noindex]"))
                .next()
                .is_some()
        );
        let link = page
            .select(&sel("a[href='/briefs/first-brief/']"))
            .next()
            .unwrap();
        assert_eq!(text_of(link), "First brief");
    }
    let redirects = std::fs::read_to_string(site.output().join("_redirects")).unwrap();
    let lines: Vec<&str> = redirects.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        lines,
        [
            "/briefs/old-slug/ /briefs/first-brief/ 301",
            "/2024/05/some-path/ /briefs/first-brief/ 301",
            "/old.html /briefs/first-brief/ 301"
        ]
    );
    let sitemap = std::fs::read_to_string(site.output().join("sitemap.xml")).unwrap();
    assert!(!sitemap.contains("old-slug"), "redirects are not content");
}

#[test]
fn an_alias_at_the_address_of_a_page_or_another_alias_is_an_error_naming_both() {
    let site = site_with_aliases("/about/, /briefs/old/");
    site.write("content/pages/about.md", "---\ntitle: About\n---\n\nUs.\n");
    site.write(
        "content/briefs/second.md",
        "---\ntitle: Second\ndate: 2025-03-02\nauthors: [ada-lovelace]\naliases: [/briefs/old]\n---\n\nText.\n",
    );
    let built = site.build(&[]);
    let err = String::from_utf8_lossy(&built.stderr);
    assert_eq!(built.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the alias `/about/` is the address of content/pages/about.md"),
        "{err}"
    );
    assert!(err.contains("content/briefs/first-brief.md:5:"), "{err}");
    assert!(
        err.contains("the alias `/briefs/old/` is also an alias of content/briefs/"),
        "{err}"
    );
    assert!(!site.output().exists());
}

#[test]
fn an_alias_that_is_not_a_path_of_the_site_is_an_error_at_its_line() {
    for (alias, why) in [
        (
            "https://old.example.org/x/",
            "is not a path from the site's root",
        ),
        ("/briefs/../etc/", "steps out of its folder"),
        ("'/a b/'", "may hold only letters"),
    ] {
        let site = site_with_aliases(alias);
        let built = site.build(&[]);
        let err = String::from_utf8_lossy(&built.stderr);
        assert_eq!(built.status.code(), Some(1), "{alias}: {err}");
        assert!(
            err.contains(why) && err.contains("first-brief.md:5:"),
            "{alias}: {err}"
        );
    }
}

// --- Corrections and key findings ---------------------------------------------------------

/// The minimal site whose first brief has these extra front-matter lines.
fn site_with_front_matter(extra: &str) -> Site {
    let site = Site::fixture("minimal");
    site.write(
        "content/briefs/first-brief.md",
        &format!(
            "---\ntitle: First brief\ndate: 2025-03-01\nauthors: [ada-lovelace]\n{extra}---\n\nThe text.\n"
        ),
    );
    site
}

#[test]
fn a_correction_is_a_dated_notice_and_the_briefs_updated_date_everywhere() {
    let site = site_with_front_matter(
        "updated: 2025-03-05\ncorrections:\n  - {date: 2025-03-10, text: Figure 2 showed 2023 prices; it now shows 2024's.}\n",
    );
    site.build_ok(&[]);
    let page = site.page("/briefs/first-brief/");
    let notice = page
        .select(&sel(".corrections li"))
        .next()
        .expect("a notice");
    assert!(text_of(notice).contains("10 March 2025: Figure 2 showed 2023 prices"));
    let updated: Vec<String> = page
        .select(&sel(".brief-meta time"))
        .filter_map(|t| t.value().attr("datetime").map(str::to_string))
        .collect();
    assert_eq!(
        updated,
        ["2025-03-01", "2025-03-10"],
        "published, then updated"
    );
    let json = page
        .select(&sel("script[type='application/ld+json']"))
        .next()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&json.inner_html()).unwrap();
    assert_eq!(json["dateModified"], "2025-03-10");
    let feed = std::fs::read_to_string(site.output().join("atom.xml")).unwrap();
    let entry = &feed[feed.find("<entry>").unwrap()..];
    assert!(entry.contains("<updated>2025-03-10"), "{entry}");
}

#[test]
fn a_correction_dated_before_the_brief_is_an_error_at_its_line() {
    let site = site_with_front_matter("corrections:\n  - {date: 2025-02-20, text: Too early.}\n");
    let built = site.build(&[]);
    let err = String::from_utf8_lossy(&built.stderr);
    assert_eq!(built.status.code(), Some(1), "{err}");
    assert!(err.contains("first-brief.md:6:"), "{err}");
    assert!(
        err.contains("dated 2025-02-20, before the brief itself (2025-03-01)"),
        "{err}"
    );
}

#[test]
fn key_findings_are_a_box_of_inline_markdown_and_the_description_without_a_summary() {
    let site = site_with_front_matter(
        "key_findings:\n  - \"Starts fell by *a third* in five years.\"\n  - \"Levy funds <script>x()</script> went unspent.\"\n",
    );
    site.build_ok(&[]);
    let page = site.page("/briefs/first-brief/");
    let findings: Vec<_> = page.select(&sel(".key-findings li")).collect();
    assert_eq!(findings.len(), 2);
    assert!(
        findings[0].select(&sel("em")).next().is_some(),
        "emphasis kept"
    );
    assert!(page.select(&sel(".key-findings script")).next().is_none());
    assert!(
        text_of(findings[1]).contains("<script>x()</script>"),
        "raw HTML shown as text"
    );
    let description = page.select(&sel("meta[name=description]")).next().unwrap();
    assert_eq!(
        description.value().attr("content"),
        Some("Starts fell by a third in five years.")
    );
}

#[test]
fn a_key_finding_linking_to_a_script_address_is_an_error() {
    let site = site_with_front_matter("key_findings:\n  - \"See [this](javascript:alert(1)).\"\n");
    let built = site.build(&[]);
    let err = String::from_utf8_lossy(&built.stderr);
    assert_eq!(built.status.code(), Some(1), "{err}");
    assert!(
        err.contains("first-brief.md:6:") && err.contains("`javascript:`"),
        "{err}"
    );
}

// --- Related briefs -----------------------------------------------------------------------

/// A brief with these topics, cited URLs and extra front matter.
fn related_brief(site: &Site, slug: &str, date: &str, topics: &str, urls: &[&str], extra: &str) {
    let links: String = urls
        .iter()
        .enumerate()
        .map(|(i, url)| format!("[source {i}]({url}) "))
        .collect();
    site.write(
        &format!("content/briefs/{slug}.md"),
        &format!(
            "---\ntitle: Brief {slug}\ndate: {date}\nauthors: [ada-lovelace]\ntopics: [{topics}]\n{extra}---\n\nText citing {links}.\n"
        ),
    );
}

/// The related briefs' addresses at the end of a brief's page.
fn related_of(site: &Site, slug: &str) -> Vec<String> {
    site.page(&format!("/briefs/{slug}/"))
        .select(&sel(".related a"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect()
}

#[test]
fn related_briefs_share_sources_first_then_topics_and_can_be_named() {
    let site = Site::fixture("minimal");
    std::fs::remove_file(site.root().join("content/briefs/first-brief.md")).unwrap();
    let (x, y) = ("https://ons.example.gov/x", "https://ons.example.gov/y");
    related_brief(&site, "alpha", "2025-03-01", "Housing", &[x, y], "");
    related_brief(&site, "beta", "2025-02-01", "Energy", &[x, y], "");
    related_brief(&site, "gamma", "2025-04-01", "Housing", &[], "");
    related_brief(
        &site,
        "delta",
        "2025-05-01",
        "Skills",
        &["https://other.example.org/"],
        "",
    );
    related_brief(
        &site,
        "epsilon",
        "2025-01-01",
        "Skills",
        &[],
        "related: [alpha, gamma]\n",
    );
    site.build_ok(&[]);
    // All five share their author, which counts least: it fills the list, newest first.
    assert_eq!(
        related_of(&site, "alpha"),
        ["/briefs/beta/", "/briefs/gamma/", "/briefs/delta/"],
        "two sources, then a topic, then the author"
    );
    assert_eq!(
        related_of(&site, "beta"),
        ["/briefs/alpha/", "/briefs/delta/", "/briefs/gamma/"]
    );
    assert_eq!(
        related_of(&site, "delta"),
        ["/briefs/epsilon/", "/briefs/gamma/", "/briefs/alpha/"],
        "a topic first"
    );
    assert_eq!(
        related_of(&site, "epsilon"),
        ["/briefs/alpha/", "/briefs/gamma/"],
        "as named"
    );
}

#[test]
fn a_related_slug_that_is_no_brief_is_an_error_at_its_place() {
    let site = site_with_front_matter("related: [no-such-brief]\n");
    let built = site.build(&[]);
    let err = String::from_utf8_lossy(&built.stderr);
    assert_eq!(built.status.code(), Some(1), "{err}");
    assert!(
        err.contains("first-brief.md:5:") && err.contains("`no-such-brief`"),
        "{err}"
    );
}

// --- Tables as figures ----------------------------------------------------------------------

#[test]
fn a_table_with_a_caption_is_a_numbered_figure_whose_credit_is_a_source() {
    let site = Site::fixture("minimal");
    site.write(
        "content/briefs/first-brief.md",
        "---\ntitle: First brief\ndate: 2025-03-01\nauthors: [ada-lovelace]\nsummary: S.\n---\n\n\
         Intro.\n\n\
         | Region | Installations |\n|---|---:|\n| North | 1,200 |\n| South | 2,400 |\n\n\
         Table: Heat pump installations by region, *2024*\n\n\
         Source: [MCS data dashboard](https://datadashboard.mcscertified.com/).\n\n\
         | A | B |\n|---|---|\n| 1 | 2 |\n",
    );
    site.build_ok(&[]);
    let page = site.page("/briefs/first-brief/");
    let figure = page
        .select(&sel("figure.table-figure"))
        .next()
        .expect("a table figure");
    assert_eq!(figure.value().id(), Some("first-brief-tbl-1"));
    let caption = figure.select(&sel("figcaption")).next().unwrap();
    assert_eq!(
        text_of(caption),
        "Table 1. Heat pump installations by region, 2024"
    );
    assert!(
        caption.select(&sel("em")).next().is_some(),
        "inline Markdown in the caption"
    );
    assert_eq!(figure.select(&sel("table tbody tr")).count(), 2);
    let credit = figure.select(&sel("p.credit a")).next().expect("a credit");
    let cited = credit.value().attr("id").expect("cited as a source");
    let source = page
        .select(&sel("section#sources li"))
        .find(|li| {
            li.select(&sel(&format!("a[href='#{cited}']")))
                .next()
                .is_some()
        })
        .expect("the credit's source is listed");
    assert!(text_of(source).contains("Table 1"), "{}", text_of(source));
    assert_eq!(
        page.select(&sel("figure.table-figure")).count(),
        1,
        "the second has no caption"
    );
    let checked = crate::common::folio(&["check", "--root", site.root().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&checked.stderr);
    assert!(
        err.contains("the table has no caption") && err.contains("first-brief.md:19:"),
        "{err}"
    );
}

// --- A citation style of the site's own ---------------------------------------------------

/// A small CSL style whose reference list marks its entries, so its use is visible.
pub(crate) const HOUSE_STYLE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info>
    <title>Meridian House Style</title>
    <id>https://briefs.example.org/styles/house</id>
    <updated>2025-01-01T00:00:00+00:00</updated>
  </info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout><text value="HOUSE: "/><text variable="title"/></layout></bibliography>
</style>
"#;

pub(crate) fn site_citing_in(style: &str, file: Option<&str>) -> Site {
    let site = Site::fixture("minimal");
    site.write(
        "site.toml",
        &format!(
            "title = \"Minimal Institute\"\nbase_url = \"https://briefs.example.org\"\n\n[citation]\nstyle = \"{style}\"\n"
        ),
    );
    if let Some(text) = file {
        site.write(style, text);
    }
    site
}

#[test]
fn a_csl_file_of_the_sites_own_formats_cite_this_brief() {
    let site = site_citing_in("styles/house.csl", Some(HOUSE_STYLE));
    site.build_ok(&[]);
    let page = site.page("/briefs/first-brief/");
    let citation = page
        .select(&sel("#cite .citation"))
        .next()
        .expect("a citation");
    assert_eq!(text_of(citation).trim(), "HOUSE: First brief");
    let style = page.select(&sel("#cite .cite-style")).next().unwrap();
    assert!(text_of(style).contains("Meridian House Style"));
    // An edited style file is used at once, never an earlier formatting of it.
    site.write(
        "styles/house.csl",
        &HOUSE_STYLE.replace("HOUSE: ", "HOUSE v2: "),
    );
    site.build_ok(&[]);
    let page = site.page("/briefs/first-brief/");
    let citation = page.select(&sel("#cite .citation")).next().unwrap();
    assert_eq!(text_of(citation).trim(), "HOUSE v2: First brief");
}

#[test]
fn an_invalid_or_missing_csl_file_is_a_settings_error_at_its_line() {
    for (file, why) in [
        (Some("<style>not a style"), "is not a valid CSL style"),
        (None, "could not be read"),
    ] {
        let site = site_citing_in("house.csl", file);
        let built = site.build(&[]);
        let err = String::from_utf8_lossy(&built.stderr);
        assert_eq!(built.status.code(), Some(2), "{err}");
        assert!(err.contains(why) && err.contains("site.toml:5:"), "{err}");
    }
}

// --- Taxonomies ----------------------------------------------------------------------------

const TAXONOMIES: &str = "\n[taxonomies.programmes]\nname = \"Programme\"\n\n\
                          [taxonomies.series]\nname = \"Series\"\nplural = \"Series\"\n";

/// The minimal site with two taxonomies (listings of one brief a page) and three briefs: two in
/// the Energy and Climate programme (one written as a list, one as a single name), one in
/// Public Services and the Net Zero Homes series.
fn site_with_taxonomies() -> Site {
    let site = Site::fixture("minimal");
    site.write(
        "site.toml",
        &format!(
            "title = \"Minimal Institute\"\nbase_url = \"https://briefs.example.org\"\n\
             paginate = 1\n{TAXONOMIES}"
        ),
    );
    for (slug, date, terms) in [
        (
            "grid-levies",
            "2025-03-01",
            "programmes: [Energy and Climate]\n",
        ),
        (
            "heat-networks",
            "2025-04-01",
            "programmes: Energy and Climate\n",
        ),
        (
            "clinic-waits",
            "2025-05-01",
            "programmes: [Public Services]\nseries: Net Zero Homes\n",
        ),
    ] {
        site.write(
            &format!("content/briefs/{slug}.md"),
            &format!(
                "---\ntitle: Brief {slug}\ndate: {date}\nauthors: [ada-lovelace]\n{terms}---\n\nText.\n"
            ),
        );
    }
    std::fs::remove_file(site.root().join("content/briefs/first-brief.md")).unwrap();
    site
}

/// The brief links of a listing page, as hrefs.
fn listed(site: &Site, url: &str) -> Vec<String> {
    site.page(url)
        .select(&sel(".card-list a[href^='/briefs/']"))
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect()
}

#[test]
fn each_term_of_a_taxonomy_has_a_paginated_page_an_index_entry_and_a_feed() {
    let site = site_with_taxonomies();
    site.build_ok(&[]);
    let index = site.page("/programmes/");
    let title = index.select(&sel("h1")).next().map(text_of);
    assert_eq!(title.as_deref(), Some("Programmes"));
    let terms: Vec<(String, String)> = index
        .select(&sel(".topic-list a"))
        .map(|a| (a.value().attr("href").unwrap().to_string(), text_of(a)))
        .collect();
    assert_eq!(terms.len(), 2, "{terms:?}");
    assert_eq!(terms[0].0, "/programmes/energy-and-climate/");
    assert!(terms[0].1.contains("2 briefs"), "{terms:?}");
    // Newest first, one a page.
    assert_eq!(
        listed(&site, "/programmes/energy-and-climate/"),
        ["/briefs/heat-networks/"]
    );
    assert_eq!(
        listed(&site, "/programmes/energy-and-climate/page/2/"),
        ["/briefs/grid-levies/"]
    );
    let kind = site.page("/series/net-zero-homes/");
    let kicker = kind.select(&sel(".kind a")).next().unwrap();
    assert_eq!(
        (kicker.value().attr("href"), text_of(kicker).as_str()),
        (Some("/series/"), "Series")
    );
    let feed =
        std::fs::read_to_string(site.output().join("programmes/energy-and-climate/atom.xml"))
            .unwrap();
    assert_eq!(feed.matches("<entry>").count(), 2, "{feed}");
    let site_feed = std::fs::read_to_string(site.output().join("atom.xml")).unwrap();
    assert!(
        site_feed.contains(
            r#"<category term="net-zero-homes" scheme="https://briefs.example.org/series/" label="Net Zero Homes"/>"#
        ),
        "{site_feed}"
    );
    let sitemap = std::fs::read_to_string(site.output().join("sitemap.xml")).unwrap();
    for url in ["/programmes/", "/programmes/public-services/", "/series/"] {
        assert!(
            sitemap.contains(&format!("https://briefs.example.org{url}<")),
            "{url}"
        );
    }
}

#[test]
fn a_briefs_terms_are_on_its_page_in_its_metadata_its_pdf_and_the_home_front() {
    let site = site_with_taxonomies();
    site.build_ok(&[]);
    let page = site.page("/briefs/clinic-waits/");
    let meta: Vec<(String, Vec<String>)> = page
        .select(&sel(".brief-meta > div"))
        .map(|row| {
            let dt = row.select(&sel("dt")).next().map(text_of).unwrap();
            let links = row
                .select(&sel("dd a"))
                .filter_map(|a| a.value().attr("href").map(str::to_string))
                .collect();
            (dt, links)
        })
        .collect();
    for (label, url) in [
        ("Programme", "/programmes/public-services/"),
        ("Series", "/series/net-zero-homes/"),
    ] {
        assert!(
            meta.contains(&(label.to_string(), vec![url.to_string()])),
            "{meta:?}"
        );
        assert!(crate::common::url_to_file(&site.output(), url).is_file());
    }
    let json = page
        .select(&sel("script[type='application/ld+json']"))
        .next()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&json.inner_html()).unwrap();
    assert_eq!(
        json["keywords"],
        serde_json::json!(["Public Services", "Net Zero Homes"])
    );
    let home = site.page("/");
    let front: Vec<&str> = home
        .select(&sel(".front-terms a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(
        front.contains(&"/programmes/energy-and-climate/"),
        "{front:?}"
    );
    assert!(front.contains(&"/series/net-zero-homes/"), "{front:?}");
    let pdf = site.output().join("briefs/clinic-waits/clinic-waits.pdf");
    let text = crate::pdf::letters(&crate::pdf::poppler("pdftotext", &[], &pdf));
    assert!(text.contains("programmepublicservices"), "{text}");
    assert!(text.contains("seriesnetzerohomes"), "{text}");
}

#[test]
fn a_taxonomy_that_cannot_be_used_is_a_settings_error_at_its_line() {
    for (settings, line, why) in [
        (
            "[taxonomies.topics]\nname = \"Topic\"\n",
            3,
            "taken by a brief's own field `topics`",
        ),
        (
            "[taxonomies.sources]\nname = \"S\"\n",
            3,
            "taken by the site's own section",
        ),
        (
            "[taxonomies.Regions]\nname = \"Region\"\n",
            3,
            "not a plain lowercase word",
        ),
        (
            "[taxonomies.regions]\nplural = \"Regions\"\n",
            3,
            "has no `name`",
        ),
        (
            "[taxonomies.regions]\nnmae = \"Region\"\n",
            4,
            "did you mean `taxonomies.regions.name`?",
        ),
        (
            "[taxonomies.regions]\nname = 3\n",
            4,
            "must be a non-empty string",
        ),
        ("taxonomies = 3\n", 3, "must be a table of tables"),
    ] {
        let site = Site::fixture("minimal");
        site.write(
            "site.toml",
            &format!(
                "title = \"Minimal Institute\"\nbase_url = \"https://briefs.example.org\"\n{settings}"
            ),
        );
        let built = site.build(&[]);
        let err = String::from_utf8_lossy(&built.stderr);
        assert_eq!(built.status.code(), Some(2), "{settings}: {err}");
        assert!(
            err.contains(why) && err.contains(&format!("site.toml:{line}:")),
            "{settings}: {err}"
        );
    }
}

#[test]
fn a_term_that_is_not_text_a_misspelt_taxonomy_and_a_page_at_its_address_are_errors() {
    let site = site_with_taxonomies();
    site.write(
        "content/briefs/grid-levies.md",
        "---\ntitle: Grid levies\ndate: 2025-03-01\nauthors: [ada-lovelace]\n\
         programmes: [3]\nserie: Net Zero Homes\n---\n\nText.\n",
    );
    site.write(
        "content/pages/series.md",
        "---\ntitle: Our series\n---\n\nText.\n",
    );
    let built = site.build(&[]);
    let err = String::from_utf8_lossy(&built.stderr);
    assert_eq!(built.status.code(), Some(1), "{err}");
    assert!(
        err.contains("grid-levies.md:5:") && err.contains("`programmes` has an item that is"),
        "{err}"
    );
    assert!(
        err.contains("grid-levies.md:6:") && err.contains("did you mean `series`?"),
        "{err}"
    );
    assert!(
        err.contains("the page slug `series` is taken") && err.contains("programmes, series"),
        "{err}"
    );
}
