//! The views handed to templates: serialize-only structs that borrow from the site model, one
//! page's worth at a time (docs/THEME.md documents them for theme authors).

use crate::config::Config;
use crate::markdown::{Footnote, Source, TocEntry};
use crate::site::{Author, Brief, Page, Site, Topic};
use chrono::NaiveDate;
use serde::Serialize;

/// Words a reader reads in a minute, for the reading time.
const WORDS_PER_MINUTE: usize = 230;

#[derive(Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub language: &'a str,
    pub base_url: &'a str,
    pub root: &'a str,
    pub organization: OrganizationView<'a>,
    pub nav: Vec<Link<'a>>,
}

#[derive(Serialize)]
pub struct OrganizationView<'a> {
    pub name: Option<&'a str>,
    pub url: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub address: Option<&'a str>,
    pub about_html: Option<&'a str>,
}

#[derive(Serialize)]
pub struct Link<'a> {
    pub title: &'a str,
    pub url: &'a str,
}

impl<'a> SiteView<'a> {
    pub fn new(site: &'a Site, about_html: Option<&'a str>) -> Self {
        let config: &Config = &site.config;
        let org = &config.organization;
        SiteView {
            title: &config.title,
            description: config.description.as_deref(),
            language: &config.language,
            base_url: &config.base_url,
            root: &config.root_path,
            organization: OrganizationView {
                name: org.name.as_deref(),
                url: org.url.as_deref(),
                email: org.email.as_deref(),
                phone: org.phone.as_deref(),
                address: org.address.as_deref(),
                about_html,
            },
            nav: site
                .pages
                .iter()
                .map(|p| Link {
                    title: &p.doc.title,
                    url: &p.url,
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
pub struct DateView {
    pub iso: String,
    pub human: String,
}

impl DateView {
    pub fn new(date: NaiveDate) -> Self {
        DateView {
            iso: date.format("%Y-%m-%d").to_string(),
            human: date.format("%-d %B %Y").to_string(),
        }
    }
}

#[derive(Serialize)]
pub struct PersonRef<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub role: Option<&'a str>,
}

#[derive(Serialize)]
pub struct TopicRef<'a> {
    pub name: &'a str,
    pub url: &'a str,
}

/// A brief in a listing.
#[derive(Serialize)]
pub struct CardView<'a> {
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub url: &'a str,
    pub kind: &'a str,
    pub date: DateView,
    pub draft: bool,
    pub authors: Vec<PersonRef<'a>>,
    pub topics: Vec<TopicRef<'a>>,
}

impl<'a> CardView<'a> {
    pub fn new(site: &'a Site, brief: &'a Brief) -> Self {
        let doc = &brief.doc;
        CardView {
            title: &doc.title,
            subtitle: doc.subtitle.as_deref(),
            summary: doc.summary.as_deref(),
            url: &brief.url,
            kind: doc.kind.as_deref().unwrap_or("Brief"),
            date: DateView::new(doc.date),
            draft: doc.draft,
            authors: brief
                .authors
                .iter()
                .map(|&a| person_ref(&site.authors[a]))
                .collect(),
            topics: topic_refs(site, &brief.topics),
        }
    }
}

fn person_ref(author: &Author) -> PersonRef<'_> {
    PersonRef {
        name: &author.doc.name,
        url: &author.url,
        role: author.doc.role.as_deref(),
    }
}

fn topic_refs<'a>(site: &'a Site, topics: &[usize]) -> Vec<TopicRef<'a>> {
    topics
        .iter()
        .map(|&t| TopicRef {
            name: &site.topics[t].name,
            url: &site.topics[t].url,
        })
        .collect()
}

/// A brief's page.
#[derive(Serialize)]
pub struct BriefView<'a> {
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub url: &'a str,
    pub kind: &'a str,
    pub date: DateView,
    pub updated: Option<DateView>,
    pub draft: bool,
    pub authors: Vec<AuthorView<'a>>,
    pub topics: Vec<TopicRef<'a>>,
    pub body_html: &'a str,
    pub toc: &'a [TocEntry],
    pub footnotes: &'a [Footnote],
    pub sources: &'a [Source],
    pub word_count: usize,
    pub reading_minutes: usize,
    pub doi: Option<&'a str>,
    pub pdf: Option<&'a str>,
    pub image: Option<&'a str>,
    pub extra: Option<&'a serde_yaml::Value>,
}

impl<'a> BriefView<'a> {
    pub fn new(site: &'a Site, brief: &'a Brief) -> Self {
        let doc = &brief.doc;
        let body = &doc.body;
        BriefView {
            title: &doc.title,
            subtitle: doc.subtitle.as_deref(),
            summary: doc.summary.as_deref(),
            url: &brief.url,
            kind: doc.kind.as_deref().unwrap_or("Brief"),
            date: DateView::new(doc.date),
            updated: doc.updated.map(DateView::new),
            draft: doc.draft,
            authors: brief
                .authors
                .iter()
                .map(|&a| AuthorView::new(&site.authors[a]))
                .collect(),
            topics: topic_refs(site, &brief.topics),
            body_html: &body.html,
            toc: &body.toc,
            footnotes: &body.footnotes,
            sources: &body.sources,
            word_count: body.word_count,
            reading_minutes: body.word_count.div_ceil(WORDS_PER_MINUTE).max(1),
            doi: doc.doi.as_deref(),
            pdf: doc.pdf.as_deref(),
            image: doc.image.as_deref(),
            extra: doc.extra.as_ref(),
        }
    }
}

/// A person, with biography.
#[derive(Serialize)]
pub struct AuthorView<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub role: Option<&'a str>,
    pub affiliation: Option<&'a str>,
    pub email: Option<&'a str>,
    pub photo: Option<&'a str>,
    pub url: &'a str,
    pub bio_html: &'a str,
    pub links: Vec<LabelledLink<'a>>,
    pub brief_count: usize,
}

#[derive(Serialize)]
pub struct LabelledLink<'a> {
    pub label: &'a str,
    pub url: &'a str,
}

impl<'a> AuthorView<'a> {
    pub fn new(author: &'a Author) -> Self {
        let doc = &author.doc;
        AuthorView {
            name: &doc.name,
            slug: &doc.slug,
            role: doc.role.as_deref(),
            affiliation: doc.affiliation.as_deref(),
            email: doc.email.as_deref(),
            photo: doc.photo.as_deref(),
            url: &author.url,
            bio_html: &doc.bio.html,
            links: doc
                .links
                .iter()
                .map(|(label, url)| LabelledLink { label, url })
                .collect(),
            brief_count: author.briefs.len(),
        }
    }
}

#[derive(Serialize)]
pub struct TopicView<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub url: &'a str,
    pub brief_count: usize,
}

impl<'a> TopicView<'a> {
    pub fn new(topic: &'a Topic) -> Self {
        TopicView {
            name: &topic.name,
            slug: &topic.slug,
            url: &topic.url,
            brief_count: topic.briefs.len(),
        }
    }
}

#[derive(Serialize)]
pub struct PageView<'a> {
    pub title: &'a str,
    pub summary: Option<&'a str>,
    pub url: &'a str,
    pub body_html: &'a str,
    pub toc: &'a [TocEntry],
}

impl<'a> PageView<'a> {
    pub fn new(page: &'a Page) -> Self {
        PageView {
            title: &page.doc.title,
            summary: page.doc.summary.as_deref(),
            url: &page.url,
            body_html: &page.doc.body.html,
            toc: &page.doc.body.toc,
        }
    }
}

#[derive(Serialize)]
pub struct PaginationView {
    pub current: usize,
    pub total: usize,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    pub pages: Vec<PageLink>,
}

#[derive(Serialize)]
pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
}
