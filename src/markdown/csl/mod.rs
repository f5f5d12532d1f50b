//! The glue to hayagriva that citations need wherever they are formatted (in a brief's text,
//! and in "Cite this brief"): CSL styles and locales decoded once per process, and hayagriva's
//! formatted output written as HTML.

mod brief_entry;
mod locales;
mod reference_list;

pub(crate) use brief_entry::BriefEntry;
pub(crate) use reference_list::reference_list;
#[cfg(test)]
pub(crate) use reference_list::trimmed;

use super::escape;
use crate::lock;
use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::{
    FontStyle, FontVariant, FontWeight, IndependentStyle, Locale, Style, TextDecoration,
    VerticalAlign,
};
use hayagriva::{ElemChild, ElemChildren, Formatted};
use std::sync::Mutex;

/// A style from hayagriva's archive (whole, or trimmed to its reference list), decoded on first
/// use and kept for the process: the preview server formats many builds with the same style.
pub(crate) fn cached_style(name: &str, reference_list: bool) -> Option<&'static IndependentStyle> {
    type Cache = Vec<(ArchivedStyle, bool, &'static IndependentStyle)>;
    static STYLES: Mutex<Cache> = Mutex::new(Vec::new());
    let archived = ArchivedStyle::by_name(name)?;
    let mut styles = lock(&STYLES);
    if let Some((_, _, style)) = styles
        .iter()
        .find(|(a, trimmed, _)| *a == archived && *trimmed == reference_list)
    {
        return Some(style);
    }
    let Style::Independent(mut style) = archived.get() else {
        return None;
    };
    if reference_list {
        style = self::reference_list(&style);
    }
    let style: &'static IndependentStyle = Box::leak(Box::new(style));
    styles.push((archived, reference_list, style));
    Some(style)
}

/// The style `name` names for a site citing with `citation`. With `reference_list`, as
/// "Cite this brief" formats with it ([`reference_list`]).
///
/// It is the site's own when `name` is its style, else one bundled with hayagriva.
pub(crate) fn style_for<'a>(
    citation: &'a crate::config::CitationSettings,
    name: &str,
    reference_list: bool,
) -> Option<&'a IndependentStyle> {
    match &citation.own_style {
        Some(own) if name == citation.style => Some(if reference_list {
            own.reference_list
                .get_or_init(|| self::reference_list(&own.whole))
        } else {
            &own.whole
        }),
        _ => cached_style(name, reference_list),
    }
}

/// The locales a citation in `language` in `style` may use (the style's own language too,
/// which a citation without a language is in).
pub(crate) fn locales(language: &str, style: &IndependentStyle) -> &'static [Locale] {
    let default = style.default_locale.as_ref().map(|code| code.0.as_str());
    locales::locales_for(std::iter::once(language).chain(default))
}

/// Writes hayagriva's formatted output as HTML. Written here rather than with hayagriva's own
/// `BufWriteFormat::Html`, which neither escapes text (a title with `<` would become markup)
/// nor avoids inline styles; here formatting becomes plain elements and only http(s) links
/// are kept.
pub(crate) fn write_html(children: &ElemChildren, out: &mut String) {
    for child in &children.0 {
        match child {
            ElemChild::Text(text) => write_formatted(text, out),
            ElemChild::Elem(elem) => write_html(&elem.children, out),
            ElemChild::Markup(markup) => out.push_str(&escape(markup)),
            ElemChild::Link { text, url } => {
                let lower = url.to_ascii_lowercase();
                let linkable = lower.starts_with("https://") || lower.starts_with("http://");
                if linkable {
                    out.push_str(&format!(r#"<a href="{}">"#, escape(url)));
                }
                write_formatted(text, out);
                if linkable {
                    out.push_str("</a>");
                }
            }
            ElemChild::Transparent { .. } => {}
        }
    }
}

pub(crate) fn write_formatted(text: &Formatted, out: &mut String) {
    let f = &text.formatting;
    let mut tags: Vec<(&str, &str)> = Vec::new();
    if f.font_style == FontStyle::Italic {
        tags.push(("<i>", "</i>"));
    }
    if f.font_weight == FontWeight::Bold {
        tags.push(("<b>", "</b>"));
    }
    if f.font_variant == FontVariant::SmallCaps {
        tags.push((r#"<span class="small-caps">"#, "</span>"));
    }
    if f.text_decoration == TextDecoration::Underline {
        tags.push(("<u>", "</u>"));
    }
    match f.vertical_align {
        VerticalAlign::Sup => tags.push(("<sup>", "</sup>")),
        VerticalAlign::Sub => tags.push(("<sub>", "</sub>")),
        _ => {}
    }
    for (open, _) in &tags {
        out.push_str(open);
    }
    out.push_str(&escape(&text.text));
    for (_, close) in tags.iter().rev() {
        out.push_str(close);
    }
}
