//! The sources index: `/sources/` lists cited websites, most-cited first; each website's pages
//! list its URLs with every brief citing them and links to the exact places; every brief's
//! Sources entry links to its entry in the index; long listings are split into pages.

use crate::common::{Site, sel, text_of, url_to_file};
use scraper::Html;
use std::collections::{BTreeMap, BTreeSet};

fn built(extra: &[&str]) -> Site {
    let site = Site::fixture("features");
    site.build_ok(extra);
    site
}

/// (brief page, citing place href) pairs.
type Places = BTreeSet<(String, String)>;

/// URL → {(brief page, citing place href)} as the briefs' own Sources lists give them.
fn cited_by_briefs(site: &Site, briefs: &[&str]) -> BTreeMap<String, Places> {
    let mut cited: BTreeMap<String, Places> = BTreeMap::new();
    for brief in briefs {
        let page = site.page(brief);
        for li in page.select(&sel("section#sources > ol > li")) {
            let url = li.select(&sel("a.source-url")).next().unwrap();
            let url = url.value().attr("href").unwrap().to_string();
            let places = cited.entry(url).or_default();
            for back in li.select(&sel(".cited-in a[href^='#']")) {
                let place = format!("{brief}{}", back.value().attr("href").unwrap());
                places.insert((brief.to_string(), place));
            }
        }
    }
    cited
}

/// Every page of a listing, following its "next" links from the first.
fn listing_pages(site: &Site, first: &str) -> Vec<(String, Html)> {
    let mut pages = Vec::new();
    let mut next = Some(first.to_string());
    while let Some(url) = next {
        let page = site.page(&url);
        next = page
            .select(&sel("a[rel=next]"))
            .next()
            .map(|a| a.value().attr("href").unwrap().to_string());
        pages.push((url, page));
    }
    pages
}

/// URL → (domain page URL with fragment, {(brief page, place href)}) as the index gives them.
fn index_entries(site: &Site) -> BTreeMap<String, Vec<(String, Places)>> {
    let mut entries: BTreeMap<String, Vec<(String, Places)>> = BTreeMap::new();
    for (_, index_page) in listing_pages(site, "/sources/") {
        for domain in index_page.select(&sel(".domain-table tbody th a")) {
            let domain_url = domain.value().attr("href").unwrap();
            for (page_url, page) in listing_pages(site, domain_url) {
                for entry in page.select(&sel("li.source-entry")) {
                    let url = entry.select(&sel("a.source-url")).next().unwrap();
                    let mut citing = BTreeSet::new();
                    for brief in entry.select(&sel(".citing-briefs > li")) {
                        let title = brief.select(&sel("a.citing-title")).next().unwrap();
                        let brief_url = title.value().attr("href").unwrap().to_string();
                        for place in brief.select(&sel(".cited-in a")) {
                            let href = place.value().attr("href").unwrap().to_string();
                            citing.insert((brief_url.clone(), href));
                        }
                    }
                    let id = entry.value().id().unwrap();
                    entries
                        .entry(url.value().attr("href").unwrap().to_string())
                        .or_default()
                        .push((format!("{page_url}#{id}"), citing));
                }
            }
        }
    }
    entries
}

#[test]
fn the_index_lists_each_url_once_with_every_citing_brief_and_place() {
    let site = built(&[]);
    let briefs = [
        "/briefs/with-figures/",
        "/briefs/notes-twice/",
        "/briefs/older-brief/",
    ];
    let cited = cited_by_briefs(&site, &briefs);
    let index = index_entries(&site);
    assert_eq!(
        index.keys().collect::<Vec<_>>(),
        cited.keys().collect::<Vec<_>>(),
        "the index lists exactly the URLs the briefs cite"
    );
    for (url, listed) in &index {
        assert_eq!(listed.len(), 1, "{url} is listed once");
        assert_eq!(
            &listed[0].1, &cited[url],
            "{url}: every citing brief and place"
        );
    }
    let shared = &index["https://stats.example.gov/table-1"][0].1;
    let citing: BTreeSet<&str> = shared.iter().map(|(b, _)| b.as_str()).collect();
    assert_eq!(
        citing,
        BTreeSet::from(["/briefs/notes-twice/", "/briefs/older-brief/"])
    );
    // Each place is the citing link itself, in the brief's page.
    for (url, listed) in &index {
        for (_, place) in &listed[0].1 {
            let (page, id) = place.split_once('#').unwrap();
            let brief = site.page(page);
            let link = brief
                .select(&sel(&format!("[id='{id}']")))
                .next()
                .unwrap_or_else(|| panic!("{place} does not resolve"));
            assert_eq!(link.value().attr("href"), Some(url.as_str()));
        }
    }
}

#[test]
fn every_brief_source_links_to_its_entry_in_the_index() {
    let site = built(&[]);
    let index = index_entries(&site);
    for brief in [
        "/briefs/with-figures/",
        "/briefs/notes-twice/",
        "/briefs/older-brief/",
    ] {
        let page = site.page(brief);
        let entries: Vec<_> = page.select(&sel("section#sources > ol > li")).collect();
        assert!(!entries.is_empty());
        for li in entries {
            let url = li.select(&sel("a.source-url")).next().unwrap();
            let url = url.value().attr("href").unwrap();
            let link = li
                .select(&sel("a.source-index"))
                .next()
                .expect("index link");
            let href = link.value().attr("href").unwrap();
            assert_eq!(href, index[url][0].0, "{brief}: {url} links to its entry");
            let (target, id) = href.split_once('#').unwrap();
            assert!(url_to_file(&site.output(), target).is_file());
            let entry_page = site.page(target);
            let entry = entry_page
                .select(&sel(&format!("li[id='{id}'] a.source-url")))
                .next()
                .unwrap_or_else(|| panic!("{href} does not resolve"));
            assert_eq!(entry.value().attr("href"), Some(url));
        }
    }
    let shared = site.page("/briefs/older-brief/");
    let labels: Vec<String> = shared.select(&sel("a.source-index")).map(text_of).collect();
    assert_eq!(
        labels,
        ["Also cited in 1 other brief", "In the sources index"]
    );
}

#[test]
fn domains_are_listed_most_cited_first_with_their_counts() {
    let site = built(&[]);
    let page = site.page("/sources/");
    let rows: Vec<Vec<String>> = page
        .select(&sel(".domain-table tbody tr"))
        .map(|tr| tr.select(&sel("th, td")).map(text_of).collect())
        .collect();
    assert_eq!(
        rows,
        [
            ["stats.example.gov", "2", "2"],
            ["data.example.org", "1", "1"],
            ["energy.example.org", "1", "1"],
            ["laws.example.gov", "1", "1"],
        ]
    );
    let domain = site.page("/sources/stats-example-gov/");
    let urls: Vec<&str> = domain
        .select(&sel("li.source-entry a.source-url"))
        .map(|a| a.value().attr("href").unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            "https://stats.example.gov/table-1",
            "https://stats.example.gov/table-2"
        ],
        "the URL cited by two briefs comes first"
    );
    let home = site.page("/");
    let nav: Vec<&str> = home
        .select(&sel("nav a"))
        .map(|a| a.value().attr("href").unwrap())
        .collect();
    assert!(nav.contains(&"/sources/"), "the index is in the navigation");
}

#[test]
fn drafts_are_left_out_of_the_index_unless_drafts_are_built() {
    let site = built(&[]);
    assert!(
        !site
            .output()
            .join("sources/draft-only-example-net")
            .exists()
    );
    let text = text_of(site.page("/sources/").root_element());
    assert!(!text.contains("draft-only.example.net"));
    let shared = index_entries(&site)["https://stats.example.gov/table-1"][0]
        .1
        .clone();
    assert!(!shared.iter().any(|(b, _)| b.contains("work-in-progress")));

    let preview = built(&["--drafts"]);
    let entries = index_entries(&preview);
    assert!(entries.contains_key("https://draft-only.example.net/secret"));
    let citing: BTreeSet<String> = entries["https://stats.example.gov/table-1"][0]
        .1
        .iter()
        .map(|(b, _)| b.clone())
        .collect();
    assert!(citing.contains("/briefs/work-in-progress/"), "{citing:?}");
}

#[test]
fn a_domain_with_many_sources_is_split_into_pages_of_two_hundred() {
    let site = Site::fixture("features");
    let links: String = (0..450)
        .map(|i| format!("See [table {i}](https://big.example.org/t/{i:03}).\n\n"))
        .collect();
    site.write(
        "content/briefs/many-sources.md",
        &format!(
            "---\ntitle: Many Sources\ndate: 2023-06-01\nauthors: [ada-lovelace]\n---\n{links}"
        ),
    );
    site.build_ok(&[]);
    let pages = listing_pages(&site, "/sources/big-example-org/");
    let counts: Vec<usize> = pages
        .iter()
        .map(|(_, page)| page.select(&sel("li.source-entry")).count())
        .collect();
    assert_eq!(counts, [200, 200, 50]);
    assert_eq!(pages[2].0, "/sources/big-example-org/page/3/");
    let brief = site.page("/briefs/many-sources/");
    let last = brief
        .select(&sel("section#sources > ol > li"))
        .next_back()
        .unwrap();
    let href = last.select(&sel("a.source-index")).next().unwrap();
    let href = href.value().attr("href").unwrap();
    assert!(
        href.starts_with("/sources/big-example-org/page/3/#s-"),
        "a source on page 3 is linked there: {href}"
    );
}
