//! The Sources list (each cited URL once, linked back to each citing place), figures with
//! their credits, and highlighted code.

use crate::common::{Site, sel, text_of};
use std::collections::HashMap;

#[test]
fn sources_list_each_external_url_once_and_link_back_to_every_citation() {
    let site = Site::fixture("features");
    site.build_ok(&[]);
    let page = site.page("/briefs/notes-twice/");
    let cited: Vec<String> = page
        .select(&sel("article a.ext"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(cited.len(), 4, "two inline links and two in notes");
    let entries: Vec<_> = page.select(&sel("section#sources > ol > li")).collect();
    let listed: Vec<String> = entries
        .iter()
        .map(|li| {
            li.select(&sel("a.source-url"))
                .next()
                .unwrap()
                .value()
                .attr("href")
                .unwrap()
                .to_string()
        })
        .collect();
    let mut distinct = cited.clone();
    distinct.sort();
    distinct.dedup();
    let mut sorted_listed = listed.clone();
    sorted_listed.sort();
    assert_eq!(
        sorted_listed, distinct,
        "each cited URL listed exactly once"
    );

    let ids: HashMap<&str, scraper::ElementRef> = page
        .select(&sel("[id]"))
        .map(|e| (e.value().id().unwrap(), e))
        .collect();
    for (li, url) in entries.iter().zip(&listed) {
        let backs: Vec<_> = li
            .select(&sel("a[href^='#']"))
            .map(|a| &a.value().attr("href").unwrap()[1..])
            .collect();
        let uses = cited.iter().filter(|c| *c == url).count();
        assert_eq!(
            backs.len(),
            uses,
            "{url} links back to each of its {uses} citations"
        );
        for id in backs {
            let citing = ids
                .get(id)
                .unwrap_or_else(|| panic!("#{id} does not resolve"));
            assert_eq!(citing.value().attr("href"), Some(url.as_str()));
        }
    }
    let report = listed
        .iter()
        .position(|u| u.ends_with("report.csv"))
        .unwrap();
    assert!(
        text_of(entries[report]).contains("data.example.org"),
        "domain shown"
    );
}

#[test]
fn an_image_alone_becomes_a_figure_with_caption_and_source_credit() {
    let site = Site::fixture("features");
    site.build_ok(&[]);
    let page = site.page("/briefs/with-figures/");
    let figures: Vec<_> = page.select(&sel("article figure")).collect();
    assert_eq!(figures.len(), 2, "the inline image stays an image");
    let captions: Vec<String> = figures
        .iter()
        .map(|f| text_of(f.select(&sel("figcaption")).next().unwrap()))
        .collect();
    assert!(captions[0].contains("Heat pump installations"));
    assert!(captions[0].contains("Source: Energy Agency, Installations Survey"));
    assert!(captions[1].contains("Source: National Statistics."));
    let credit_link = figures[0]
        .select(&sel(".credit a.ext"))
        .next()
        .expect("credit link");
    assert_eq!(
        credit_link.value().attr("href"),
        Some("https://energy.example.org/survey")
    );
    let sources = text_of(page.select(&sel("section#sources")).next().unwrap());
    assert!(
        sources.contains("Figure 1"),
        "the credit is a cited place: {sources}"
    );
    for img in page.select(&sel("figure img")) {
        let src = img.value().attr("src").unwrap();
        assert!(
            site.output()
                .join("briefs/with-figures")
                .join(src)
                .is_file(),
            "{src} copied beside the page"
        );
        assert!(!img.value().attr("alt").unwrap().is_empty());
        // The image opens full size: it is the link to its own file.
        let link = scraper::ElementRef::wrap(img.parent().unwrap()).unwrap();
        assert_eq!(link.value().name(), "a", "{src} is not linked");
        assert_eq!(link.value().attr("href"), Some(src));
    }
    let paragraphs: Vec<String> = page.select(&sel(".brief-body p")).map(text_of).collect();
    assert!(
        !paragraphs.iter().any(|p| p.starts_with("Source:")),
        "credits are not left as paragraphs"
    );
    assert_eq!(page.select(&sel(".brief-body table td")).count(), 4);
    assert_eq!(page.select(&sel(".brief-body blockquote")).count(), 1);
}

#[test]
fn fenced_code_is_highlighted_with_classes_not_inline_styles() {
    let site = Site::fixture("features");
    site.build_ok(&[]);
    let page = site.page("/briefs/notes-twice/");
    let code = page.select(&sel("pre.code")).next().expect("a code block");
    assert_eq!(code.value().attr("data-lang"), Some("rust"));
    assert!(code.select(&sel("span[class^='hl-']")).count() > 3);
    assert_eq!(page.select(&sel("pre.code [style]")).count(), 0);
    let stylesheet = std::fs::read_to_string(site.output().join("syntax.css")).unwrap();
    assert!(stylesheet.contains(".hl-") && stylesheet.contains("prefers-color-scheme: dark"));
    let linked = page
        .select(&sel("link[rel=stylesheet]"))
        .any(|l| l.value().attr("href").unwrap().ends_with("syntax.css"));
    assert!(linked, "pages with code link the code stylesheet");
}

#[test]
fn a_source_is_listed_by_the_name_its_first_citing_link_gives_it_with_its_domain_beside() {
    let site = Site::fixture("features");
    site.build_ok(&[]);
    let page = site.page("/briefs/notes-twice/");
    let entry_for = |href: &str| {
        page.select(&sel("section#sources > ol > li"))
            .find(|li| {
                li.select(&sel("a.source-url"))
                    .any(|a| a.value().attr("href") == Some(href))
            })
            .unwrap_or_else(|| panic!("no entry for {href}"))
    };
    let report = entry_for("https://data.example.org/report.csv");
    let link = report.select(&sel("a.source-url")).next().unwrap();
    assert_eq!(
        text_of(link),
        "report",
        "the first link's text, not the later one's"
    );
    let domain = report.select(&sel(".domain")).next().unwrap();
    assert_eq!(text_of(domain), "data.example.org");
    let law = entry_for("https://laws.example.gov/act/2024/12");
    assert_eq!(
        text_of(law.select(&sel("a.source-url")).next().unwrap()),
        "the law"
    );

    let index = site.page("/sources/stats-example-gov/");
    let heading = index
        .select(&sel("li.source-entry h2.source-name a"))
        .find(|a| a.value().attr("href") == Some("https://stats.example.gov/table-1"))
        .expect("the source's heading links to it");
    assert_eq!(
        text_of(heading),
        "Statistics Office",
        "named by the newest citing brief (notes-twice, 2025)"
    );
}
