//! Metadata on a brief's page for indexers and sharing: Highwire Press `citation_*` tags (read
//! by Google Scholar and Zotero) and schema.org JSON-LD, built here so their formats are kept
//! in one place and themes only print them.

use crate::site::{Brief, Site};
use serde::Serialize;
use serde_json::{Value, json};

/// One `<meta name="…" content="…">`.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct MetaTag {
    pub name: &'static str,
    pub content: String,
}

/// The absolute forms of a brief's links that metadata needs.
pub struct Addresses {
    /// The brief's canonical URL.
    pub page: String,
    /// The social image (`image:`), absolute.
    pub image: Option<String>,
    /// The PDF edition, absolute.
    pub pdf: Option<String>,
}

impl Addresses {
    pub fn new(site: &Site, brief: &Brief) -> Self {
        let page = site.config.absolute_url(&brief.url);
        let absolute = |href: &str| resolve(site, &page, href);
        Addresses {
            image: brief.doc.image.as_deref().map(absolute),
            pdf: brief.pdf.as_ref().map(|pdf| absolute(&pdf.href)),
            page,
        }
    }
}

/// An address as written in front matter, made absolute: `https://…` as it is, `/x` from the
/// site's origin and root, anything else relative to the brief's page.
fn resolve(site: &Site, page: &str, href: &str) -> String {
    let lower = href.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        href.to_string()
    } else if href.starts_with('/') {
        site.config.absolute_url(&site.config.url(href))
    } else {
        format!("{page}{href}")
    }
}

/// The publisher named in metadata: the organisation, or the site when it names none.
fn publisher(site: &Site) -> &str {
    let config = &site.config;
    config.organization.name.as_deref().unwrap_or(&config.title)
}

/// Highwire Press tags, in the order Google Scholar's inclusion guidelines list them.
/// `references` are the brief's bibliography entries, one `citation_reference` each.
pub fn highwire_tags(
    site: &Site,
    brief: &Brief,
    addresses: &Addresses,
    references: &[String],
) -> Vec<MetaTag> {
    let doc = &brief.doc;
    let tag = |name: &'static str, content: &str| MetaTag {
        name,
        content: content.to_string(),
    };
    let mut tags = vec![tag("citation_title", &doc.title)];
    tags.extend(
        brief
            .authors
            .iter()
            .map(|&a| tag("citation_author", &site.authors[a].doc.name)),
    );
    tags.push(tag(
        "citation_publication_date",
        &doc.date.format("%Y/%m/%d").to_string(),
    ));
    tags.push(tag("citation_publisher", publisher(site)));
    tags.push(tag(
        "citation_technical_report_institution",
        publisher(site),
    ));
    tags.push(tag("citation_language", &site.config.language));
    let keywords = site.keywords(brief);
    if !keywords.is_empty() {
        tags.push(tag("citation_keywords", &keywords.join("; ")));
    }
    tags.push(tag("citation_abstract_html_url", &addresses.page));
    if let Some(pdf) = &addresses.pdf {
        tags.push(tag("citation_pdf_url", pdf));
    }
    if let Some(doi) = &doc.doi {
        tags.push(tag("citation_doi", doi));
    }
    tags.extend(
        references
            .iter()
            .map(|reference| tag("citation_reference", reference)),
    );
    tags
}

/// The schema.org type of a brief: `ScholarlyArticle` when its `type:` says it is an article
/// ("Article", "Journal Article"), `Report` otherwise.
fn schema_type(kind: Option<&str>) -> &'static str {
    match kind {
        Some(kind) if kind.to_lowercase().contains("article") => "ScholarlyArticle",
        _ => "Report",
    }
}

/// The brief as schema.org JSON-LD, ready to go inside `<script type="application/ld+json">`.
pub fn json_ld(site: &Site, brief: &Brief, addresses: &Addresses) -> String {
    let config = &site.config;
    let doc = &brief.doc;
    let authors: Vec<Value> = brief
        .authors
        .iter()
        .map(|&a| {
            let author = &site.authors[a];
            let mut person = json!({
                "@type": "Person",
                "name": author.doc.name,
                "url": config.absolute_url(&author.url),
            });
            if let Some(role) = &author.doc.role {
                person["jobTitle"] = json!(role);
            }
            if let Some(affiliation) = &author.doc.affiliation {
                person["affiliation"] = json!({ "@type": "Organization", "name": affiliation });
            }
            person
        })
        .collect();
    let mut organization = json!({ "@type": "Organization", "name": publisher(site) });
    if let Some(url) = &config.organization.url {
        organization["url"] = json!(url);
    }
    let mut report = json!({
        "@context": "https://schema.org",
        "@type": schema_type(doc.kind.as_deref()),
        "@id": addresses.page,
        "url": addresses.page,
        "mainEntityOfPage": addresses.page,
        "headline": doc.title,
        "name": doc.title,
        "datePublished": doc.date.format("%Y-%m-%d").to_string(),
        "dateModified": doc.updated.unwrap_or(doc.date).format("%Y-%m-%d").to_string(),
        "inLanguage": config.language,
        "author": authors,
        "publisher": organization,
        "wordCount": doc.body.word_count,
    });
    let optional = [
        (
            "alternativeHeadline",
            doc.subtitle.as_deref().map(Value::from),
        ),
        ("description", doc.summary.as_deref().map(Value::from)),
        ("genre", doc.kind.as_deref().map(Value::from)),
        ("image", addresses.image.as_deref().map(Value::from)),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            report[key] = value;
        }
    }
    let keywords = site.keywords(brief);
    if !keywords.is_empty() {
        report["keywords"] = json!(keywords);
    }
    if let Some(doi) = &doc.doi {
        report["identifier"] = json!({
            "@type": "PropertyValue",
            "propertyID": "DOI",
            "value": doi,
            "url": format!("https://doi.org/{doi}"),
        });
        report["sameAs"] = json!(format!("https://doi.org/{doi}"));
    }
    if let Some(pdf) = &addresses.pdf {
        let mut media = json!({
            "@type": "MediaObject",
            "contentUrl": pdf,
            "encodingFormat": "application/pdf",
        });
        if let Some(bytes) = brief.pdf.as_ref().and_then(|p| p.bytes) {
            media["contentSize"] = json!(crate::site::human_size(bytes));
        }
        report["encoding"] = json!([media]);
    }
    if !doc.body.sources.is_empty() {
        let cited: Vec<&str> = doc.body.sources.iter().map(|s| s.url.as_str()).collect();
        report["citation"] = json!(cited);
    }
    script_safe_json(&report)
}

/// JSON that cannot end or confuse the `<script>` element holding it: `<`, `>` and `&` are
/// written as `\u003c`, `\u003e`, `\u0026` (the same JSON to a parser). Escaping only `</`
/// would leave `<!--`, which can put an HTML parser in a state where `</script>` no longer
/// closes the element. Written compact: machines read it, and indenting it cost a brief's page
/// about a kilobyte.
fn script_safe_json(value: &Value) -> String {
    let json = serde_json::to_string(value).unwrap_or_default();
    let mut safe = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => safe.push_str("\\u003c"),
            '>' => safe.push_str("\\u003e"),
            '&' => safe.push_str("\\u0026"),
            other => safe.push(other),
        }
    }
    safe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_for_a_script_element_never_contains_markup_characters() {
        let value = json!({ "name": "</script><!--<script>alert(1)</script> & more" });
        let safe = script_safe_json(&value);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn articles_are_scholarly_articles_and_the_rest_reports() {
        assert_eq!(schema_type(Some("Journal Article")), "ScholarlyArticle");
        assert_eq!(schema_type(Some("Policy Brief")), "Report");
        assert_eq!(schema_type(None), "Report");
    }
}
