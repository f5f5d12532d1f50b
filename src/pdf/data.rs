//! What the PDF template is given for one brief: its facts as JSON data (`/_folio/brief.json`,
//! read with `json()`), and its texts as a Typst module of escaped markup
//! (`/_folio/content.typ`): `summary`, `findings`, `body`, `references`, `sources`, `bios`,
//! `about`. Nothing in either runs as code.

use super::markup::{Converter, escape, string};
use crate::markdown::inline_html;
use crate::site::{Brief, Site};
use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::{Component, Path, PathBuf};

/// One brief's inputs to the template.
pub struct BriefInputs {
    pub data: String,
    pub content: String,
    /// Each figure's path in the world and its file beside the brief.
    pub figures: Vec<(String, PathBuf)>,
}

/// The site's parts every brief's PDF shows the same: the organisation's About, as markup.
pub fn about_markup(site: &Site) -> String {
    let Some(html) = crate::render::about_html(site) else {
        return "none".to_string();
    };
    let base = site.config.absolute_url(&site.config.url("/"));
    format!("[{}]", Converter::new(&[], &base).convert(&html).trim())
}

/// The data and content of `brief`'s PDF; `about` is `about_markup`'s.
pub fn brief_inputs(site: &Site, brief: &Brief, about: &str, paper: &str) -> BriefInputs {
    let page_url = site.config.absolute_url(&brief.url);
    let body = &brief.doc.body;
    let mut converter = Converter::new(&body.footnotes, &page_url);
    let mut content = String::with_capacity(body.html.len() * 2);
    let findings: Vec<String> = brief
        .doc
        .key_findings
        .iter()
        .map(|finding| block(&mut converter, &inline_html(&finding.value)))
        .collect();
    let _ = writeln!(content, "#let findings = ({})", list(&findings));
    let text = converter.convert(&body.html);
    let rest = converter.unplaced_notes();
    let _ = writeln!(content, "#let body = [{}\n\n{rest}]", text.trim());
    let references: Vec<String> = body
        .references
        .iter()
        .map(|r| block(&mut converter, &r.html))
        .collect();
    let _ = writeln!(content, "#let references = ({})", list(&references));
    let sources: Vec<String> = body.sources.iter().map(source).collect();
    let _ = writeln!(content, "#let sources = ({})", list(&sources));
    let bios: Vec<String> = brief
        .authors
        .iter()
        .map(|&a| block(&mut converter, &site.authors[a].doc.bio.html))
        .collect();
    let _ = writeln!(content, "#let bios = ({})", list(&bios));
    let _ = writeln!(content, "#let about = {about}");
    let figures = figure_files(site, brief, &converter);
    BriefInputs {
        data: data(site, brief, &page_url, paper).to_string(),
        content,
        figures,
    }
}

/// HTML as a content block of markup.
fn block(converter: &mut Converter<'_>, html: &str) -> String {
    format!("[{}]", converter.convert(html).trim())
}

/// Items as a Typst array (a trailing comma makes one item an array, not a parenthesis).
fn list(items: &[String]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!("{},", items.join(", "))
    }
}

/// A cited source: its name (markup), its URL and domain (strings).
fn source(source: &crate::markdown::Source) -> String {
    format!(
        "(name: [{}], url: {}, domain: {})",
        escape(&source.name),
        string(&source.url),
        string(&source.domain)
    )
}

/// The brief's facts, as the template reads them with `json()`.
fn data(site: &Site, brief: &Brief, page_url: &str, paper: &str) -> Value {
    let config = &site.config;
    let doc = &brief.doc;
    let organization = &config.organization;
    let authors: Vec<Value> = brief
        .authors
        .iter()
        .map(|&a| {
            let author = &site.authors[a];
            json!({
                "name": author.doc.name,
                "role": author.doc.role,
                "affiliation": author.doc.affiliation,
                "url": config.absolute_url(&author.url),
            })
        })
        .collect();
    let terms: Vec<Value> = site
        .taxonomies
        .iter()
        .zip(&brief.terms)
        .filter(|(_, terms)| !terms.is_empty())
        .map(|(taxonomy, terms)| {
            let names: Vec<&str> = terms
                .iter()
                .map(|&t| taxonomy.terms[t].name.as_str())
                .collect();
            let label = if names.len() > 1 {
                &taxonomy.plural
            } else {
                &taxonomy.name
            };
            json!({ "name": label, "terms": names })
        })
        .collect();
    let corrections: Vec<Value> = doc
        .corrections
        .iter()
        .map(|c| json!({ "date": date(c.date), "text": c.text }))
        .collect();
    json!({
        "organization": {
            "name": organization.name.as_deref().unwrap_or(&config.title),
            "url": organization.url,
            "email": organization.email,
            "phone": organization.phone,
            "address": organization.address,
        },
        "site": { "title": config.title, "url": config.base_url },
        "language": config.language,
        "paper": paper,
        "kicker": doc.kind,
        "title": doc.title,
        "short_title": doc.title.split(':').next().unwrap_or_default().trim(),
        "subtitle": doc.subtitle,
        "summary": doc.summary,
        "authors": authors,
        "date": date(doc.date),
        "updated": doc.updated.map(date),
        "doi": doc.doi,
        "doi_url": doc.doi.as_ref().map(|doi| format!("https://doi.org/{doi}")),
        "url": page_url,
        "topics": brief.topics.iter().map(|&t| site.topics[t].name.as_str()).collect::<Vec<_>>(),
        "keywords": site.keywords(brief),
        "terms": terms,
        "corrections": corrections,
        "draft": doc.draft,
    })
}

fn date(date: NaiveDate) -> Value {
    json!({
        "year": date.year(),
        "month": date.month(),
        "day": date.day(),
        "iso": date.format("%Y-%m-%d").to_string(),
        "human": date.format("%-d %B %Y").to_string(),
    })
}

/// The files of the figures the converter met, each beside the brief (a brief in a folder of
/// its own); a figure with no such file is left for Typst to report as not found.
fn figure_files(site: &Site, brief: &Brief, converter: &Converter<'_>) -> Vec<(String, PathBuf)> {
    let folder = brief_folder(site, brief);
    converter
        .images
        .iter()
        .map(|image| (image, decoded(&image.src)))
        .filter(|(_, src)| {
            Path::new(src)
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
        })
        .map(|(image, src)| (image.path.clone(), folder.join(src)))
        .collect()
}

/// Everything `brief_inputs` makes the brief's data and content from, but the template and
/// the organisation's About: the brief's fields and rendering, its authors and topics, the
/// site's settings it shows. A change to any of them changes the brief's PDF.
pub fn input_parts<'s>(site: &'s Site, brief: &'s Brief) -> Vec<std::borrow::Cow<'s, str>> {
    use std::borrow::Cow;
    let config = &site.config;
    let organization = &config.organization;
    let doc = &brief.doc;
    let body = &doc.body;
    let optional = |value: &'s Option<String>| Cow::Borrowed(value.as_deref().unwrap_or("\0"));
    let mut parts: Vec<Cow<'s, str>> = vec![
        Cow::Borrowed(&config.base_url),
        Cow::Borrowed(&config.title),
        Cow::Borrowed(&config.language),
        optional(&organization.name),
        optional(&organization.url),
        optional(&organization.email),
        optional(&organization.phone),
        optional(&organization.address),
        Cow::Borrowed(&brief.url),
        Cow::Borrowed(&doc.title),
        optional(&doc.subtitle),
        optional(&doc.summary),
        optional(&doc.kind),
        optional(&doc.doi),
        Cow::Owned(format!("{} {:?} {}", doc.date, doc.updated, doc.draft)),
        Cow::Borrowed(&body.html),
    ];
    for correction in &doc.corrections {
        parts.push(Cow::Owned(correction.date.to_string()));
        parts.push(Cow::Borrowed(&correction.text));
    }
    parts.extend(
        doc.key_findings
            .iter()
            .map(|f| Cow::Borrowed(f.value.as_str())),
    );
    for note in &body.footnotes {
        parts.push(Cow::Owned(note.number.to_string()));
        parts.push(Cow::Borrowed(&note.html));
    }
    parts.extend(
        body.references
            .iter()
            .map(|r| Cow::Borrowed(r.html.as_str())),
    );
    for source in &body.sources {
        parts
            .extend([&source.name, &source.url, &source.domain].map(|s| Cow::Borrowed(s.as_str())));
    }
    for &a in &brief.authors {
        let author = &site.authors[a];
        parts.push(Cow::Borrowed(&author.doc.name));
        parts.push(optional(&author.doc.role));
        parts.push(optional(&author.doc.affiliation));
        parts.push(Cow::Borrowed(&author.url));
        parts.push(Cow::Borrowed(&author.doc.bio.html));
    }
    parts.extend(
        brief
            .topics
            .iter()
            .map(|&t| Cow::Borrowed(site.topics[t].name.as_str())),
    );
    parts
}

/// The files beside the brief its figures show, as `figure_files` will find them.
pub fn figure_files_of(site: &Site, brief: &Brief) -> Vec<PathBuf> {
    let folder = brief_folder(site, brief);
    brief
        .doc
        .body
        .facts
        .images
        .iter()
        .map(|image| decoded(&image.src))
        .filter(|src| {
            Path::new(src)
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
        })
        .map(|src| folder.join(src))
        .collect()
}

/// An image address as a file name: `%20` and the like decoded.
fn decoded(src: &str) -> String {
    percent_encoding::percent_decode_str(src)
        .decode_utf8_lossy()
        .into_owned()
}

/// The folder a brief's figures are beside: its own folder, or the one its file is in.
fn brief_folder(site: &Site, brief: &Brief) -> PathBuf {
    match &brief.doc.bundle {
        Some((dir, _)) => dir.clone(),
        None => site
            .config
            .root
            .join(&brief.doc.shown)
            .parent()
            .map_or_else(PathBuf::new, Path::to_path_buf),
    }
}
