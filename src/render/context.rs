//! The views handed to templates: serialize-only structs that borrow from the site model, one
//! page's worth at a time (docs/THEME.md documents them for theme authors).

use super::cite::{Reference, formatted_citation, style_title};
use super::feeds::{Feed, feed_url};
use super::metadata::{Addresses, MetaTag, highwire_tags, json_ld};
use crate::config::Config;
use crate::markdown::{Citation, Footnote, Reference as CitedReference, TocEntry, inline_html};
use crate::site::{
    Author, Brief, Domain, IndexedSource, Page, Site, SourcesIndex, Taxonomy, Topic,
};
use chrono::{Datelike, NaiveDate};
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
    /// Whether the site has a search page (`[search] enabled`).
    pub search: bool,
    /// The site's own taxonomies, in site.toml's order.
    pub taxonomies: Vec<TaxonomyView<'a>>,
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
            search: config.search.enabled,
            taxonomies: site.taxonomies.iter().map(TaxonomyView::new).collect(),
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

/// A date as templates are given it: `{ iso, human }`, written out as it is serialized, so a
/// page that dates many briefs (a sources page dates ~200 citing briefs) keeps no strings.
#[derive(Clone, Copy)]
pub struct DateView(NaiveDate);

impl Serialize for DateView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut view = serializer.serialize_struct("DateView", 2)?;
        view.serialize_field("iso", &Displayed(DateText(self.0, DateStyle::Iso)))?;
        view.serialize_field("human", &Displayed(DateText(self.0, DateStyle::Human)))?;
        view.end()
    }
}

/// A value serialized as the string it displays as, without making the string first (where
/// the serializer allows: postcard, which page keys are made with, does).
struct Displayed<T>(T);

impl<T: std::fmt::Display> Serialize for Displayed<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// A related brief, as the end of a brief lists it.
#[derive(Serialize)]
pub struct RelatedView<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub kind: &'a str,
    pub date: DateView,
}

impl<'a> RelatedView<'a> {
    fn new(brief: &'a Brief) -> Self {
        RelatedView {
            title: &brief.doc.title,
            url: &brief.url,
            kind: brief.doc.kind.as_deref().unwrap_or("Brief"),
            date: DateView::new(brief.doc.date),
        }
    }
}

/// A correction's notice.
#[derive(Serialize)]
pub struct CorrectionView<'a> {
    pub date: DateView,
    pub text: &'a str,
}

/// When a brief dated after the build's time is due, in words ("5 January 2026", with the
/// time and offset when its `date` gives them); `None` for a published brief.
fn scheduled(site: &Site, brief: &Brief) -> Option<String> {
    let doc = &brief.doc;
    doc.is_scheduled(site.config.build_time)
        .then(|| match doc.time {
            Some(time) => time.format("%-d %B %Y, %H:%M (UTC%:z)").to_string(),
            None => doc.date.format("%-d %B %Y").to_string(),
        })
}

impl DateView {
    pub fn new(date: NaiveDate) -> Self {
        DateView(date)
    }
}

/// The months' names, as chrono's `%B` writes them.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `2026-01-05`, as chrono's `%Y-%m-%d` writes it.
pub fn iso_date(date: NaiveDate) -> String {
    DateText(date, DateStyle::Iso).to_string()
}

/// `5 January 2026`, as chrono's `%-d %B %Y` writes it.
pub fn human_date(date: NaiveDate) -> String {
    DateText(date, DateStyle::Human).to_string()
}

#[derive(Clone, Copy)]
enum DateStyle {
    Iso,
    Human,
}

/// A date displayed in a style, without parsing a format string for each date (chrono's
/// formatting is kept for years outside 0–9999): a sources page dates each of its ~200 citing
/// briefs, 250,000 dates at 10,000 briefs.
struct DateText(NaiveDate, DateStyle);

impl std::fmt::Display for DateText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let DateText(date, style) = *self;
        let (year, month, day) = (date.year(), date.month(), date.day());
        match style {
            _ if !(0..=9999).contains(&year) => {
                let format = match style {
                    DateStyle::Iso => "%Y-%m-%d",
                    DateStyle::Human => "%-d %B %Y",
                };
                write!(f, "{}", date.format(format))
            }
            DateStyle::Iso => write!(f, "{year:04}-{month:02}-{day:02}"),
            DateStyle::Human => write!(f, "{day} {} {year:04}", MONTHS[date.month0() as usize]),
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

/// One of the site's taxonomies, as its index page and the site's navigation show it.
#[derive(Serialize)]
pub struct TaxonomyView<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub plural: &'a str,
    pub url: &'a str,
    pub term_count: usize,
}

impl<'a> TaxonomyView<'a> {
    pub fn new(taxonomy: &'a Taxonomy) -> Self {
        TaxonomyView {
            key: &taxonomy.key,
            name: &taxonomy.name,
            plural: &taxonomy.plural,
            url: &taxonomy.url,
            term_count: taxonomy.terms.len(),
        }
    }
}

/// One of the site's taxonomies on the home page's front: its entry points.
#[derive(Serialize)]
pub struct FrontTaxonomyView<'a> {
    pub taxonomy: TaxonomyView<'a>,
    pub terms: Vec<TopicView<'a>>,
}

impl<'a> FrontTaxonomyView<'a> {
    /// Every taxonomy with terms, each with its terms by name.
    pub fn all(site: &'a Site) -> Vec<Self> {
        site.taxonomies
            .iter()
            .filter(|t| !t.terms.is_empty())
            .map(|taxonomy| FrontTaxonomyView {
                taxonomy: TaxonomyView::new(taxonomy),
                terms: taxonomy.terms.iter().map(TopicView::new).collect(),
            })
            .collect()
    }
}

/// A brief's terms in one of the site's taxonomies ("Programme: Energy and Climate").
#[derive(Serialize)]
pub struct TermsView<'a> {
    pub taxonomy: TaxonomyView<'a>,
    pub terms: Vec<TopicRef<'a>>,
}

/// A brief's terms, for each taxonomy it has some in.
fn terms_views<'a>(site: &'a Site, brief: &Brief) -> Vec<TermsView<'a>> {
    site.taxonomies
        .iter()
        .zip(&brief.terms)
        .filter(|(_, terms)| !terms.is_empty())
        .map(|(taxonomy, terms)| TermsView {
            taxonomy: TaxonomyView::new(taxonomy),
            terms: terms
                .iter()
                .map(|&t| TopicRef {
                    name: &taxonomy.terms[t].name,
                    url: &taxonomy.terms[t].url,
                })
                .collect(),
        })
        .collect()
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
    /// When a brief scheduled for later is due (shown only by `serve` and `--future`).
    pub scheduled: Option<String>,
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
            scheduled: scheduled(site, brief),
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
    /// The short title (before any colon) as a CSS string, for the printed running head.
    pub print_title_css: String,
    pub subtitle: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub url: &'a str,
    pub kind: &'a str,
    pub date: DateView,
    pub updated: Option<DateView>,
    pub draft: bool,
    /// When a brief scheduled for later is due (shown only by `serve` and `--future`).
    pub scheduled: Option<String>,
    /// Key findings, each as HTML.
    pub key_findings: Vec<String>,
    /// Dated notices of corrections and updates.
    pub corrections: Vec<CorrectionView<'a>>,
    /// Up to three related briefs.
    pub related: Vec<RelatedView<'a>>,
    pub authors: Vec<AuthorView<'a>>,
    pub topics: Vec<TopicRef<'a>>,
    /// Its terms in the site's taxonomies, for each taxonomy it has some in.
    pub terms: Vec<TermsView<'a>>,
    pub body_html: &'a str,
    pub toc: &'a [TocEntry],
    pub footnotes: &'a [Footnote],
    /// The bibliography entries the brief cites, formatted in the site's style.
    pub references: &'a [CitedReference],
    pub sources: Vec<SourceView<'a>>,
    pub word_count: usize,
    pub reading_minutes: usize,
    pub doi: Option<&'a str>,
    pub pdf: Option<PdfView<'a>>,
    pub image: Option<&'a str>,
    /// The social image as an absolute URL.
    pub image_url: Option<String>,
    pub extra: Option<&'a serde_yaml::Value>,
    pub citation: CitationView,
    /// Highwire Press `citation_*` tags, in order.
    pub highwire: Vec<MetaTag>,
    /// schema.org JSON-LD, safe to print inside `<script type="application/ld+json">`.
    pub json_ld: String,
}

/// One of a brief's sources, with its place in the site's sources index.
#[derive(Serialize)]
pub struct SourceView<'a> {
    pub url: &'a str,
    /// What the brief calls the source (empty when its links show only the URL).
    pub name: &'a str,
    pub domain: &'a str,
    pub id: &'a str,
    pub citations: &'a [Citation],
    /// The source's entry in the sources index.
    pub index_url: &'a str,
    /// How many briefs cite the URL, this one included.
    pub brief_count: usize,
}

/// The PDF edition of a brief.
#[derive(Serialize)]
pub struct PdfView<'a> {
    /// The link from the brief's page.
    pub url: &'a str,
    pub absolute_url: String,
    pub bytes: Option<u64>,
    /// The size for people, e.g. "245 KB".
    pub size: Option<String>,
}

/// How to cite a brief.
#[derive(Serialize)]
pub struct CitationView {
    /// The formatted reference in the site's citation style, as HTML.
    pub html: String,
    /// The style's name, as site.toml gives it.
    pub style: String,
    /// The style's full name, e.g. "Chicago Manual of Style 18th edition (notes and bibliography)".
    pub style_title: String,
    pub bibtex_url: String,
    pub ris_url: String,
}

/// Text as a quoted CSS string that is safe inside `<style>`: every character but letters,
/// digits and spaces is written as a CSS escape, so no `"`, `\\` or `</style>` can end it.
pub fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == ' ' {
            out.push(c);
        } else {
            out.push_str(&format!("\\{:x} ", c as u32));
        }
    }
    out.push('"');
    out
}

impl<'a> BriefView<'a> {
    pub fn new(site: &'a Site, brief: &'a Brief) -> Self {
        let doc = &brief.doc;
        let body = &doc.body;
        let addresses = Addresses::new(site, brief);
        BriefView {
            title: &doc.title,
            print_title_css: css_string(doc.title.split(':').next().unwrap_or_default().trim()),
            subtitle: doc.subtitle.as_deref(),
            summary: doc.summary.as_deref(),
            url: &brief.url,
            kind: doc.kind.as_deref().unwrap_or("Brief"),
            date: DateView::new(doc.date),
            updated: doc.updated.map(DateView::new),
            draft: doc.draft,
            scheduled: scheduled(site, brief),
            key_findings: doc
                .key_findings
                .iter()
                .map(|finding| inline_html(&finding.value))
                .collect(),
            corrections: doc
                .corrections
                .iter()
                .map(|c| CorrectionView {
                    date: DateView::new(c.date),
                    text: &c.text,
                })
                .collect(),
            related: brief
                .related
                .iter()
                .map(|&r| RelatedView::new(&site.briefs[r]))
                .collect(),
            authors: brief
                .authors
                .iter()
                .map(|&a| AuthorView::new(site, &site.authors[a]))
                .collect(),
            topics: topic_refs(site, &brief.topics),
            terms: terms_views(site, brief),
            body_html: &body.html,
            toc: &body.toc,
            footnotes: &body.footnotes,
            references: &body.references,
            sources: body
                .sources
                .iter()
                .zip(&brief.source_refs)
                .map(|(source, place)| SourceView {
                    url: &source.url,
                    name: &source.name,
                    domain: &source.domain,
                    id: &source.id,
                    citations: &source.citations,
                    index_url: &place.index_url,
                    brief_count: place.brief_count,
                })
                .collect(),
            word_count: body.word_count,
            reading_minutes: body.word_count.div_ceil(WORDS_PER_MINUTE).max(1),
            doi: doc.doi.as_deref(),
            pdf: brief.pdf.as_ref().map(|pdf| PdfView {
                url: &pdf.href,
                absolute_url: addresses.pdf.clone().unwrap_or_default(),
                bytes: pdf.bytes,
                size: pdf.bytes.map(crate::site::human_size),
            }),
            image: doc.image.as_deref(),
            image_url: addresses.image.clone(),
            extra: doc.extra.as_ref(),
            citation: CitationView {
                html: formatted_citation(
                    site,
                    &Reference::new(site, brief),
                    &site.config.citation.style,
                ),
                style: site.config.citation.style.clone(),
                style_title: style_title(&site.config.citation),
                bibtex_url: format!("{}cite.bib", brief.url),
                ris_url: format!("{}cite.ris", brief.url),
            },
            highwire: highwire_tags(
                site,
                brief,
                &addresses,
                &body
                    .references
                    .iter()
                    .map(|r| r.highwire.clone())
                    .collect::<Vec<_>>(),
            ),
            json_ld: json_ld(site, brief, &addresses),
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
    /// The author's page as an absolute URL.
    pub absolute_url: String,
    pub bio_html: &'a str,
    pub links: Vec<LabelledLink<'a>>,
    pub brief_count: usize,
    /// The author's Atom feed.
    pub feed_url: String,
}

#[derive(Serialize)]
pub struct LabelledLink<'a> {
    pub label: &'a str,
    pub url: &'a str,
}

impl<'a> AuthorView<'a> {
    pub fn new(site: &Site, author: &'a Author) -> Self {
        let doc = &author.doc;
        let feed_url = format!("{}atom.xml", author.url);
        AuthorView {
            name: &doc.name,
            slug: &doc.slug,
            role: doc.role.as_deref(),
            affiliation: doc.affiliation.as_deref(),
            email: doc.email.as_deref(),
            photo: doc.photo.as_deref(),
            url: &author.url,
            absolute_url: site.config.absolute_url(&author.url),
            bio_html: &doc.bio.html,
            links: doc
                .links
                .iter()
                .map(|(label, url)| LabelledLink { label, url })
                .collect(),
            brief_count: author.briefs.len(),
            feed_url,
        }
    }
}

#[derive(Serialize)]
pub struct TopicView<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub url: &'a str,
    pub brief_count: usize,
    /// The topic's Atom feed.
    pub feed_url: String,
}

/// A topic on the home page's front: its entry point and its newest briefs.
#[derive(Serialize)]
pub struct FrontTopicView<'a> {
    pub topic: TopicView<'a>,
    pub latest: Vec<CardView<'a>>,
}

/// How many of a topic's briefs the front shows.
const FRONT_BRIEFS_PER_TOPIC: usize = 3;

impl<'a> FrontTopicView<'a> {
    /// Every topic, most briefs first (then by name), with its newest briefs.
    pub fn all(site: &'a Site) -> Vec<Self> {
        let mut topics: Vec<&Topic> = site.topics.iter().collect();
        topics.sort_by(|a, b| {
            b.briefs
                .len()
                .cmp(&a.briefs.len())
                .then(a.name.cmp(&b.name))
        });
        topics
            .into_iter()
            .map(|topic| FrontTopicView {
                topic: TopicView::new(topic),
                latest: topic
                    .briefs
                    .iter()
                    .take(FRONT_BRIEFS_PER_TOPIC)
                    .map(|&b| CardView::new(site, &site.briefs[b]))
                    .collect(),
            })
            .collect()
    }
}

impl<'a> TopicView<'a> {
    pub fn new(topic: &'a Topic) -> Self {
        TopicView {
            name: &topic.name,
            slug: &topic.slug,
            url: &topic.url,
            brief_count: topic.briefs.len(),
            feed_url: format!("{}atom.xml", topic.url),
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
    /// The first and last pages and those near the current one, in order: a pager of a few
    /// links however long the listing.
    pub pages: Vec<PageLink>,
}

/// One page a pager links to.
#[derive(Serialize)]
pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
    /// Whether pages are left out between the link before this one and this one.
    pub gap_before: bool,
}

/// An Atom feed a page links in its head.
#[derive(Serialize)]
pub struct FeedLink {
    pub title: String,
    /// Absolute.
    pub url: String,
}

impl FeedLink {
    pub fn new(site: &Site, feed: Feed) -> Self {
        let config = &site.config;
        let title = match feed {
            Feed::Site => config.title.clone(),
            Feed::Topic(t) => format!("{} — {}", site.topics[t].name, config.title),
            Feed::Author(a) => format!("{} — {}", site.authors[a].doc.name, config.title),
            Feed::Term(t, term) => {
                let name = &site.taxonomies[t].terms[term].name;
                format!("{name} — {}", config.title)
            }
        };
        FeedLink {
            title,
            url: config.absolute_url(&feed_url(site, feed)),
        }
    }
}

/// A domain in the sources index.
#[derive(Serialize)]
pub struct DomainView<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub url: &'a str,
    /// Distinct URLs cited on the domain.
    pub source_count: usize,
    /// Distinct briefs citing it.
    pub brief_count: usize,
    /// (brief, URL) pairs: the sum of its sources' brief counts.
    pub citation_count: usize,
}

impl<'a> DomainView<'a> {
    pub fn new(domain: &'a Domain) -> Self {
        DomainView {
            name: &domain.name,
            slug: &domain.slug,
            url: &domain.url,
            source_count: domain.sources.len(),
            brief_count: domain.brief_count,
            citation_count: domain.citation_count,
        }
    }
}

/// The whole index in numbers.
#[derive(Serialize)]
pub struct SourceTotalsView {
    pub domains: usize,
    pub sources: usize,
    pub citations: usize,
}

impl SourceTotalsView {
    pub fn new(index: &SourcesIndex) -> Self {
        SourceTotalsView {
            domains: index.domains.len(),
            sources: index.source_count,
            citations: index.citation_count,
        }
    }
}

/// One URL in a domain's listing, with every brief citing it.
#[derive(Serialize)]
pub struct IndexedSourceView<'a> {
    pub url: &'a str,
    /// The name the newest citing brief gives it that has one (empty if none does).
    pub name: &'a str,
    /// The entry's element id (the target of the briefs' links into the index).
    pub id: &'a str,
    pub brief_count: usize,
    pub briefs: CitingBriefs<'a>,
}

/// The briefs citing a source, each as a `CitingBriefView`, made as they are serialized: a
/// domain's page lists ~200 sources of up to hundreds of citing briefs each, and a rebuild
/// that finds the page unchanged only hashes them.
pub struct CitingBriefs<'a> {
    site: &'a Site,
    citing: &'a [(usize, usize)],
}

impl Serialize for CitingBriefs<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.citing.iter().map(|&(b, s)| {
            let brief = &self.site.briefs[b];
            CitingBriefView {
                title: &brief.doc.title,
                url: &brief.url,
                date: DateView::new(brief.doc.date),
                draft: brief.doc.draft,
                places: Places {
                    brief_url: &brief.url,
                    citations: &brief.doc.body.sources[s].citations,
                },
            }
        }))
    }
}

/// A brief citing a source, and the places in it that do.
#[derive(Serialize)]
pub struct CitingBriefView<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub date: DateView,
    pub draft: bool,
    pub places: Places<'a>,
}

/// The places in a brief that cite a source, each as a `PlaceView`, made as they are serialized.
pub struct Places<'a> {
    brief_url: &'a str,
    citations: &'a [Citation],
}

impl Serialize for Places<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.citations.iter().map(|c| PlaceView {
            label: &c.label,
            url: Displayed(PlaceUrl {
                brief_url: self.brief_url,
                id: &c.id,
            }),
        }))
    }
}

/// A link to one citing place in a brief: `/briefs/<slug>/#<citation id>`.
#[derive(Serialize)]
pub struct PlaceView<'a> {
    pub label: &'a str,
    url: Displayed<PlaceUrl<'a>>,
}

struct PlaceUrl<'a> {
    brief_url: &'a str,
    id: &'a str,
}

impl std::fmt::Display for PlaceUrl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.brief_url, self.id)
    }
}

impl<'a> IndexedSourceView<'a> {
    pub fn new(site: &'a Site, source: &'a IndexedSource) -> Self {
        IndexedSourceView {
            url: &source.url,
            name: source
                .citing
                .iter()
                .map(|&(b, s)| site.briefs[b].doc.body.sources[s].name.as_str())
                .find(|name| !name.is_empty())
                .unwrap_or(""),
            id: &source.id,
            brief_count: source.citing.len(),
            briefs: CitingBriefs {
                site,
                citing: &source.citing,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{DateView, css_string, human_date, iso_date};
    use chrono::{Datelike, NaiveDate};

    #[test]
    fn a_date_view_is_serialized_as_its_two_strings() {
        #[derive(serde::Serialize)]
        struct Strings {
            iso: String,
            human: String,
        }
        let date = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        let strings = Strings {
            iso: iso_date(date),
            human: human_date(date),
        };
        let view = DateView::new(date);
        assert_eq!(
            serde_json::to_value(view).unwrap(),
            serde_json::json!({"iso": "2026-03-09", "human": "9 March 2026"})
        );
        // Page keys hash postcard's bytes: the same as for the strings themselves.
        assert_eq!(
            postcard::to_stdvec(&view).unwrap(),
            postcard::to_stdvec(&strings).unwrap()
        );
    }

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        for year in [-44, 1, 999, 1999, 2024, 2026, 9999] {
            let mut date = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
            while date.year() == year {
                assert_eq!(iso_date(date), date.format("%Y-%m-%d").to_string());
                assert_eq!(human_date(date), date.format("%-d %B %Y").to_string());
                date = date.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn a_css_string_cannot_close_its_quotes_or_the_style_element() {
        let css = css_string(r#"Bills "now" </style><script>"#);
        assert_eq!(&css[..7], "\"Bills ");
        assert!(
            !css[1..css.len() - 1].contains(['"', '<', '>', '/']),
            "{css}"
        );
        assert!(css.contains("\\3c "), "{css}");
    }
}
