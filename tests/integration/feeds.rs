//! Feeds and crawling: Atom feeds (site, topic, author) read by a real feed parser, the sitemap
//! and robots.txt, every URL absolute from `base_url`, drafts never listed, and two builds of
//! the same site byte-identical.

use crate::common::{Site, folio, sel, snapshot, walkdir};
use std::collections::BTreeSet;
use std::path::Path;

const BASE: &str = "https://fixture.example.org";

fn built(extra: &[&str]) -> Site {
    let site = Site::fixture("features");
    site.build_ok(extra);
    site
}

fn read(site: &Site, file: &str) -> String {
    std::fs::read_to_string(site.output().join(file))
        .unwrap_or_else(|e| panic!("{file} was not written: {e}"))
}

fn parse_feed(site: &Site, file: &str) -> feed_rs::model::Feed {
    let text = read(site, file);
    roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{file} is not XML: {e}"));
    feed_rs::parser::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn entry_links(feed: &feed_rs::model::Feed) -> Vec<String> {
    feed.entries
        .iter()
        .map(|e| {
            e.links
                .iter()
                .find(|l| l.rel.as_deref() == Some("alternate"))
                .unwrap()
                .href
                .clone()
        })
        .collect()
}

#[test]
fn the_site_feed_lists_exactly_the_published_briefs_newest_first() {
    for extra in [&[][..], &["--drafts"][..]] {
        let site = built(extra);
        let feed = parse_feed(&site, "atom.xml");
        assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
        assert_eq!(feed.title.as_ref().unwrap().content, "Fixture Institute");
        assert_eq!(
            entry_links(&feed),
            [
                format!("{BASE}/briefs/with-figures/"),
                format!("{BASE}/briefs/notes-twice/"),
                format!("{BASE}/briefs/older-brief/"),
            ],
            "no drafts, even in a build with {extra:?}"
        );
        let notes = &feed.entries[1];
        assert_eq!(notes.title.as_ref().unwrap().content, "Notes Cited Twice");
        let authors: Vec<&str> = notes
            .authors
            .iter()
            .filter_map(|a| a.name.as_deref())
            .collect();
        assert_eq!(authors, ["Ada Lovelace", "Charles Babbage"]);
        assert_eq!(
            notes.summary.as_ref().unwrap().content,
            "Checks footnote numbering and back links."
        );
        assert_eq!(notes.id, format!("{BASE}/briefs/notes-twice/"));
        assert_eq!(
            notes.published.unwrap().to_rfc3339(),
            "2025-04-02T00:00:00+00:00"
        );
        // The feed changed when its newest entry did (with-figures was updated on 20 May).
        assert_eq!(
            feed.updated.unwrap().to_rfc3339(),
            "2025-05-20T00:00:00+00:00"
        );
        let self_link = feed
            .links
            .iter()
            .find(|l| l.rel.as_deref() == Some("self"))
            .unwrap();
        assert_eq!(self_link.href, format!("{BASE}/atom.xml"));
    }
}

#[test]
fn topics_and_authors_have_feeds_of_their_own_briefs() {
    let site = built(&[]);
    let topic = parse_feed(&site, "topics/public-finance/atom.xml");
    assert_eq!(
        entry_links(&topic),
        [
            format!("{BASE}/briefs/notes-twice/"),
            format!("{BASE}/briefs/older-brief/")
        ]
    );
    let author = parse_feed(&site, "authors/charles-babbage/atom.xml");
    assert_eq!(
        entry_links(&author),
        [
            format!("{BASE}/briefs/notes-twice/"),
            format!("{BASE}/briefs/older-brief/")
        ]
    );
    let page = site.page("/topics/public-finance/");
    let alternates: Vec<&str> = page
        .select(&sel(
            "head link[rel=alternate][type='application/atom+xml']",
        ))
        .map(|l| l.value().attr("href").unwrap())
        .collect();
    assert_eq!(
        alternates,
        [
            format!("{BASE}/atom.xml"),
            format!("{BASE}/topics/public-finance/atom.xml")
        ]
    );
    let home = site.page("/");
    let alternates: Vec<&str> = home
        .select(&sel(
            "head link[rel=alternate][type='application/atom+xml']",
        ))
        .map(|l| l.value().attr("href").unwrap())
        .collect();
    assert_eq!(alternates, [format!("{BASE}/atom.xml")]);
}

#[test]
fn every_xml_file_is_well_formed() {
    let site = built(&["--drafts"]);
    let mut checked = 0;
    for file in walkdir(&site.output()) {
        if file.extension().is_some_and(|e| e == "xml") {
            let text = std::fs::read_to_string(&file).unwrap();
            roxmltree::Document::parse(&text)
                .unwrap_or_else(|e| panic!("{} is not XML: {e}", file.display()));
            checked += 1;
        }
    }
    // atom.xml, sitemap.xml, three topic feeds, two author feeds and a programme's.
    assert_eq!(checked, 8);
}

/// The sitemap's (loc, lastmod) pairs.
fn sitemap(site: &Site) -> Vec<(String, Option<String>)> {
    let text = read(site, "sitemap.xml");
    let doc = roxmltree::Document::parse(&text).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    root.children()
        .filter(|n| n.has_tag_name("url"))
        .map(|url| {
            let child = |name: &str| {
                url.children()
                    .find(|n| n.has_tag_name(name))
                    .and_then(|n| n.text())
                    .map(str::to_string)
            };
            (child("loc").unwrap(), child("lastmod"))
        })
        .collect()
}

/// Every HTML page of the output as the absolute URL it is served at.
fn pages(output: &Path) -> BTreeSet<String> {
    walkdir(output)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| {
            let relative = p
                .strip_prefix(output)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let url = relative
                .strip_suffix("index.html")
                .unwrap_or(&relative)
                .to_string();
            format!("{BASE}/{url}")
        })
        .collect()
}

#[test]
fn the_sitemap_lists_every_page_with_lastmod_and_no_drafts() {
    for extra in [&[][..], &["--drafts"][..]] {
        let site = built(extra);
        let entries = sitemap(&site);
        let listed: BTreeSet<String> = entries.iter().map(|(loc, _)| loc.clone()).collect();
        assert_eq!(listed.len(), entries.len(), "each page once");
        let mut expected = pages(&site.output());
        expected.remove(&format!("{BASE}/404.html"));
        expected.remove(&format!("{BASE}/search/"));
        expected.remove(&format!("{BASE}/briefs/work-in-progress/"));
        expected.remove(&format!("{BASE}/topics/drafting/"));
        expected.remove(&format!("{BASE}/sources/draft-only-example-net/"));
        let listed_briefs: Vec<&String> =
            listed.iter().filter(|l| l.contains("/briefs/")).collect();
        assert_eq!(
            listed_briefs,
            [
                &format!("{BASE}/briefs/notes-twice/"),
                &format!("{BASE}/briefs/older-brief/"),
                &format!("{BASE}/briefs/with-figures/"),
            ],
            "exactly the published briefs ({extra:?})"
        );
        if extra.is_empty() {
            assert_eq!(listed, expected, "every page but the 404 and search");
        }
        let lastmod = |loc: &str| {
            entries
                .iter()
                .find(|(l, _)| l == &format!("{BASE}{loc}"))
                .unwrap()
                .1
                .clone()
        };
        assert_eq!(
            lastmod("/briefs/with-figures/").as_deref(),
            Some("2025-05-20")
        );
        assert_eq!(
            lastmod("/briefs/older-brief/").as_deref(),
            Some("2024-01-15")
        );
        if extra.is_empty() {
            let stats = lastmod("/sources/stats-example-gov/");
            assert_eq!(
                stats.as_deref(),
                Some("2025-04-02"),
                "its newest citing brief"
            );
        }
        assert_eq!(
            lastmod("/about/"),
            None,
            "a standalone page has no date to claim"
        );
    }
}

#[test]
fn robots_txt_names_the_sitemap() {
    let site = built(&[]);
    let robots = read(&site, "robots.txt");
    assert!(robots.starts_with("User-agent: *\n"), "{robots}");
    assert!(
        robots
            .lines()
            .any(|l| l == format!("Sitemap: {BASE}/sitemap.xml")),
        "{robots}"
    );
}

#[test]
fn base_url_from_the_command_line_makes_every_feed_url_absolute_on_that_host() {
    let site = built(&["--base-url", "https://staging.example.net/"]);
    let base = "https://staging.example.net";
    let feed = parse_feed(&site, "atom.xml");
    assert!(entry_links(&feed).iter().all(|l| l.starts_with(base)));
    let self_link = feed
        .links
        .iter()
        .find(|l| l.rel.as_deref() == Some("self"))
        .unwrap();
    assert_eq!(self_link.href, format!("{base}/atom.xml"));
    let text = read(&site, "sitemap.xml");
    let doc = roxmltree::Document::parse(&text).unwrap();
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert!(locs.len() > 10);
    assert!(locs.iter().all(|l| l.starts_with(base)), "{locs:?}");
    assert!(read(&site, "robots.txt").contains(&format!("Sitemap: {base}/sitemap.xml")));
    let page = site.page("/briefs/older-brief/");
    let pdf = page
        .select(&sel("meta[name=citation_pdf_url]"))
        .next()
        .unwrap();
    assert_eq!(
        pdf.value().attr("content"),
        Some("https://staging.example.net/briefs/older-brief/older-brief.pdf")
    );
}

#[test]
fn two_builds_of_the_same_site_are_byte_identical() {
    let site = Site::fixture("features");
    let root = site.root().to_str().unwrap().to_string();
    let outputs: Vec<_> = ["first", "second"]
        .iter()
        .map(|name| {
            let output = site.root().join(name);
            let run = folio(&[
                "build",
                "--root",
                &root,
                "--output",
                output.to_str().unwrap(),
            ]);
            assert!(run.status.success());
            snapshot(&output)
        })
        .collect();
    assert!(outputs[0].len() > 30);
    assert_eq!(
        outputs[0].iter().map(|(p, _)| p).collect::<Vec<_>>(),
        outputs[1].iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    for ((path, first), (_, second)) in outputs[0].iter().zip(&outputs[1]) {
        assert!(first == second, "{} differs between builds", path.display());
    }
}
