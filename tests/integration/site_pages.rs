//! The linked site: listings newest first and paginated, authors ↔ briefs, topics, standalone
//! pages, drafts, the table of contents and every internal link resolving to a file.

use crate::common::{Site, sel, text_of, url_to_file, walkdir};
use scraper::Html;
use std::path::Path;

fn built(extra: &[&str]) -> Site {
    let site = Site::fixture("features");
    site.build_ok(extra);
    site
}

fn card_links(page: &Html) -> Vec<String> {
    page.select(&sel("main article h2 a, main article h3 a"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect()
}

#[test]
fn home_lists_briefs_newest_first_in_pages_without_drafts() {
    let site = built(&[]);
    let first = card_links(&site.page("/"));
    let second = card_links(&site.page("/page/2/"));
    assert_eq!(first, ["/briefs/with-figures/", "/briefs/notes-twice/"]);
    assert_eq!(second, ["/briefs/older-brief/"]);
    let next = site
        .page("/")
        .select(&sel("a[rel=next]"))
        .next()
        .map(|a| a.value().attr("href").unwrap().to_string());
    assert_eq!(next.as_deref(), Some("/page/2/"));
    assert!(!site.output().join("briefs/work-in-progress").exists());
    assert!(
        !site.output().join("topics/drafting").exists(),
        "a draft's only topic has no page"
    );
}

#[test]
fn drafts_flag_includes_drafts_and_marks_them() {
    let site = built(&["--drafts"]);
    let page = site.page("/briefs/work-in-progress/");
    let marked = page.root_element().html().to_lowercase().contains("draft");
    assert!(marked, "a draft is visibly marked");
    assert!(card_links(&site.page("/")).contains(&"/briefs/work-in-progress/".to_string()));
}

#[test]
fn brief_page_shows_title_block_authors_with_roles_bios_and_footer() {
    let site = built(&[]);
    let page = site.page("/briefs/notes-twice/");
    assert_eq!(
        text_of(page.select(&sel("h1")).next().unwrap()),
        "Notes Cited Twice"
    );
    let time = page
        .select(&sel("time[datetime='2025-04-02']"))
        .next()
        .expect("time element");
    assert_eq!(text_of(time), "2 April 2025");
    let byline: Vec<_> = page
        .select(&sel(
            "a[href='/authors/ada-lovelace/'], a[href='/authors/charles-babbage/']",
        ))
        .collect();
    assert!(byline.len() >= 2, "both authors linked");
    let body = text_of(page.root_element());
    assert!(
        body.contains("Senior Fellow") && body.contains("Research Director"),
        "roles shown"
    );
    let about = text_of(
        page.select(&sel("#about-the-authors"))
            .next()
            .expect("About the authors"),
    );
    assert!(
        about.contains("Ada writes on computation") && about.contains("Charles directs research")
    );
    let footer = text_of(page.select(&sel("footer")).next_back().unwrap());
    assert!(footer.contains("Fixture Institute"));
    let description = page.select(&sel("meta[name=description]")).next().unwrap();
    assert_eq!(
        description.value().attr("content"),
        Some("Checks footnote numbering and back links.")
    );
}

#[test]
fn table_of_contents_links_to_unique_heading_ids() {
    let site = built(&[]);
    let page = site.page("/briefs/notes-twice/");
    let toc: Vec<String> = page
        .select(&sel("nav.toc a"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(toc, ["#evidence", "#custom-detail", "#evidence-2"]);
    for href in &toc {
        let heading = page
            .select(&sel(href))
            .next()
            .unwrap_or_else(|| panic!("{href} missing"));
        assert!(matches!(heading.value().name(), "h2" | "h3"));
    }
}

#[test]
fn authors_and_topics_link_to_their_briefs() {
    let site = built(&[]);
    let ada = card_links(&site.page("/authors/ada-lovelace/"));
    assert_eq!(ada, ["/briefs/with-figures/", "/briefs/notes-twice/"]);
    let authors = site.page("/authors/");
    assert_eq!(
        authors
            .select(&sel("main a[href^='/authors/']"))
            .filter(|a| a.value().attr("href") != Some("/authors/"))
            .count(),
        2
    );
    let finance = card_links(&site.page("/topics/public-finance/"));
    assert_eq!(finance, ["/briefs/notes-twice/", "/briefs/older-brief/"]);
    let energy = card_links(&site.page("/topics/energy-transition/"));
    assert_eq!(
        energy,
        ["/briefs/with-figures/", "/briefs/notes-twice/"],
        "a name and its slug are one topic"
    );
    let topics = text_of(site.page("/topics/").root_element());
    assert!(topics.contains("Energy Transition") && topics.contains("Public Finance"));
}

#[test]
fn standalone_pages_and_404_exist_and_are_in_the_navigation() {
    let site = built(&[]);
    let about = site.page("/about/");
    assert!(text_of(about.root_element()).contains("We publish briefs."));
    let nav: Vec<String> = site
        .page("/")
        .select(&sel("nav a"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert!(nav.contains(&"/about/".into()) && nav.contains(&"/contact/".into()));
    assert!(site.output().join("404.html").is_file());
}

/// Every `href` and `src` inside the site resolves to a file of the output.
pub fn assert_internal_links_resolve(output: &Path) {
    let mut checked = 0;
    for file in walkdir(output)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
    {
        let page = Html::parse_document(&std::fs::read_to_string(&file).unwrap());
        for element in page.select(&sel("[href], [src]")) {
            let target = element
                .value()
                .attr("href")
                .or(element.value().attr("src"))
                .unwrap();
            if target.starts_with('#')
                || target.contains("://")
                || target.starts_with("mailto:")
                || target.starts_with("tel:")
            {
                continue;
            }
            let resolved = if target.starts_with('/') {
                url_to_file(output, target)
            } else {
                let dir = file.parent().unwrap();
                let relative = target.split(['#', '?']).next().unwrap();
                let joined = dir.join(relative);
                if relative.is_empty() || relative.ends_with('/') {
                    joined.join("index.html")
                } else {
                    joined
                }
            };
            assert!(
                resolved.is_file(),
                "{} links to {target}, which is not in the output",
                file.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} links checked");
}

#[test]
fn every_internal_link_in_the_output_resolves_to_a_file() {
    let site = built(&["--drafts"]);
    assert_internal_links_resolve(&site.output());
}

#[test]
fn a_long_listing_links_its_ends_and_nearby_pages_and_every_page_is_reachable() {
    let site = Site::fixture("features");
    let settings = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        &settings.replace("paginate = 2", "paginate = 1"),
    );
    for n in 1..=40 {
        site.write(
            &format!("content/briefs/generated-{n:02}.md"),
            &format!(
                "---\ntitle: \"Generated Brief {n}\"\ndate: 2020-01-{:02}\nauthors: [ada-lovelace]\n---\n\nText {n}.\n",
                n % 28 + 1
            ),
        );
    }
    site.build_ok(&[]);
    let total = std::fs::read_dir(site.output().join("page"))
        .unwrap()
        .count()
        + 1;
    assert!(total > 40, "{total} pages");
    let pager = |url: &str| -> Vec<String> {
        site.page(url)
            .select(&sel("nav.pagination li a:not([rel])"))
            .map(|a| a.value().attr("href").unwrap().to_string())
            .collect()
    };
    let middle = pager("/page/20/");
    let expected: Vec<String> = [1, 18, 19, 20, 21, 22, total]
        .iter()
        .map(|&n| {
            if n == 1 {
                "/".into()
            } else {
                format!("/page/{n}/")
            }
        })
        .collect();
    assert_eq!(middle, expected, "the ends and two either side");
    let gaps = site
        .page("/page/20/")
        .select(&sel("nav.pagination li span[aria-hidden]"))
        .count();
    assert_eq!(gaps, 2, "a mark where pages are left out");
    // Every page can be reached from the first through the pager's links.
    let mut seen = std::collections::BTreeSet::from(["/".to_string()]);
    let mut queue = vec!["/".to_string()];
    while let Some(url) = queue.pop() {
        for link in pager(&url) {
            if seen.insert(link.clone()) {
                queue.push(link);
            }
        }
    }
    assert_eq!(seen.len(), total);
}
