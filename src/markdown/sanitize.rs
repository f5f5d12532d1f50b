//! `[markdown] sanitize = true`: rendered HTML cleaned with ammonia, keeping folio's own markup
//! (note links, figures, sources, highlighted code) and dropping whatever can run script.
//!
//! ammonia rather than a hand-written filter: HTML sanitising is only safe when it parses the
//! way a browser does (html5ever), which no short filter does.

use super::Rendered;
use std::collections::HashSet;

/// Attributes allowed on every element: folio's notes, figures, sources and code rely on
/// ids, classes, roles and `aria-*`/`data-*` attributes.
const GENERIC_ATTRIBUTES: &[&str] = &["id", "class", "role", "title", "lang", "dir"];
const GENERIC_PREFIXES: &[&str] = &["aria-", "data-"];
/// Elements whose content goes with them (not kept as text) when they are removed.
const CLEAN_CONTENT: &[&str] = &["script", "style", "iframe", "noscript", "template"];
/// Attributes an embedded frame from a trusted origin may keep.
const IFRAME_ATTRIBUTES: &[&str] = &[
    "src",
    "width",
    "height",
    "title",
    "loading",
    "allow",
    "allowfullscreen",
    "referrerpolicy",
];

/// Cleans every piece of HTML a rendered text hands to templates: the body, each note and
/// each bibliography entry.
pub fn sanitize_rendered(rendered: &mut Rendered, embed_origins: &[String]) {
    rendered.html = sanitize(&rendered.html, embed_origins);
    for note in &mut rendered.footnotes {
        note.html = sanitize(&note.html, embed_origins);
    }
    for reference in &mut rendered.references {
        reference.html = sanitize(&reference.html, embed_origins);
    }
}

/// Cleans one piece of rendered HTML (a body, a note). Iframes survive only when their `src`
/// is an `https://` address on one of `embed_origins` (`https://host[:port]`).
pub fn sanitize(html: &str, embed_origins: &[String]) -> String {
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes(GENERIC_ATTRIBUTES)
        .add_generic_attribute_prefixes(GENERIC_PREFIXES)
        .add_tag_attributes("img", ["loading", "decoding"])
        .add_tag_attributes("ol", ["start", "reversed", "type"])
        .add_tag_attributes("li", ["value"])
        .add_tag_attributes("td", ["align", "colspan", "rowspan"])
        .add_tag_attributes("th", ["align", "colspan", "rowspan", "scope"])
        .add_tag_attributes("time", ["datetime"])
        .add_tags(["section"])
        // Folio's own links carry no rel; ammonia's default would add one to every link.
        .link_rel(None)
        .rm_tags(["svg", "math"]);
    if embed_origins.is_empty() {
        builder.clean_content_tags(CLEAN_CONTENT.iter().copied().collect::<HashSet<_>>());
    } else {
        let origins = embed_origins.to_vec();
        builder
            .add_tags(["iframe"])
            .add_tag_attributes("iframe", IFRAME_ATTRIBUTES)
            .clean_content_tags(
                CLEAN_CONTENT
                    .iter()
                    .copied()
                    .filter(|t| *t != "iframe")
                    .collect::<HashSet<_>>(),
            )
            .attribute_filter(move |element, attribute, value| {
                if element == "iframe" && attribute == "src" && !trusted(value, &origins) {
                    return None;
                }
                Some(value.into())
            });
    }
    builder.clean(html).to_string()
}

/// Whether `src` is an `https://` address whose origin is one of `origins`.
fn trusted(src: &str, origins: &[String]) -> bool {
    let Ok(url) = url::Url::parse(src) else {
        return false;
    };
    url.scheme() == "https"
        && origins
            .iter()
            .any(|origin| url.origin().ascii_serialization() == origin.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn folio_markup_survives() {
        let html = r##"<p>Claim<sup class="fn-ref"><a id="x-fnref-1-1" href="#x-fn-1" role="doc-noteref">1</a></sup> <a href="https://ons.gov.uk/" id="x-cite-1" class="ext" title="ONS">ONS</a></p>
<figure id="x-fig-1"><a class="figure-full" href="chart.svg"><img src="chart.svg" alt="A chart" loading="lazy"></a><figcaption><span class="fig-label">Figure 1.</span></figcaption></figure>
<pre class="code" data-lang="rust"><code><span class="kw">fn</span></code></pre>
<h2 id="x-findings" aria-label="Findings">Findings</h2>"##;
        assert_eq!(sanitize(html, &[]), html);
    }

    #[test]
    fn script_handlers_and_javascript_urls_are_removed() {
        let html = r#"<p><a href="javascript:alert(1)">x</a><img src=x onerror="alert(1)"><script>alert(1)</script><svg onload=alert(1)></svg><math><mi>x</mi></math><iframe src="https://evil.example/"></iframe><style>*{}</style></p>"#;
        let clean = sanitize(html, &[]);
        for bad in [
            "javascript",
            "onerror",
            "script",
            "svg",
            "math",
            "iframe",
            "style",
            "alert",
        ] {
            assert!(!clean.contains(bad), "{bad} in {clean}");
        }
    }

    #[test]
    fn iframes_keep_their_source_only_from_trusted_origins() {
        let origins = vec!["https://datawrapper.dwcdn.net".to_string()];
        let good = r#"<iframe src="https://datawrapper.dwcdn.net/abc/1/" title="Chart"></iframe>"#;
        assert_eq!(sanitize(good, &origins), good);
        let bad =
            r#"<iframe src="https://evil.example/" srcdoc="<script>alert(1)</script>"></iframe>"#;
        assert_eq!(sanitize(bad, &origins), "<iframe></iframe>");
        let sneaky = r#"<iframe src="https://datawrapper.dwcdn.net.evil.example/"></iframe>"#;
        assert_eq!(sanitize(sneaky, &origins), "<iframe></iframe>");
    }
}
