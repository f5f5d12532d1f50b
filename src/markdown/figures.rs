//! Figures: an image alone in its paragraph becomes a `<figure>`, its title the caption, and a
//! following paragraph that begins with `Source:` its credit.

use super::{Spanned, escape, plain_text};
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::path::{Component, Path};

/// One figure's file looked up while rendering, and the size found (`None`: no such file, or
/// not an image): what a rendering kept in the build cache must find again to be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureRead {
    src: String,
    size: Option<(u32, u32)>,
}

/// Whether each figure in `read` still has the size it had, its file looked up in `dir`.
pub fn figures_unchanged(dir: Option<&Path>, read: &[FigureRead]) -> bool {
    read.iter()
        .all(|figure| dir.and_then(|dir| size_in(dir, &figure.src)) == figure.size)
}

/// The figures of one text looked up in the folder beside it (none for texts without one:
/// site.toml's `about`, the fuzz targets), each lookup recorded for the build cache.
#[derive(Default)]
pub(super) struct FigureFiles<'a> {
    pub dir: Option<&'a Path>,
    pub read: Vec<FigureRead>,
}

impl FigureFiles<'_> {
    /// The width and height of a figure's file (see `size_in`), recorded as looked up.
    pub fn size(&mut self, src: &str) -> Option<(u32, u32)> {
        let dir = self.dir?;
        let size = size_in(dir, src);
        self.read.push(FigureRead {
            src: src.to_string(),
            size,
        });
        size
    }
}

/// The width and height of a figure's file, when it lies beside the text: an SVG's `width` and
/// `height` (in pixels, or unitless), else its `viewBox`; a raster image's from its header.
fn size_in(dir: &Path, src: &str) -> Option<(u32, u32)> {
    let relative = Path::new(src.split(['?', '#']).next()?);
    let inside = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if src.contains(':') || !inside {
        return None;
    }
    let path = dir.join(relative);
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
    {
        svg_size(&std::fs::read_to_string(path).ok()?)
    } else {
        let size = imagesize::size(path).ok()?;
        Some((
            u32::try_from(size.width).ok()?,
            u32::try_from(size.height).ok()?,
        ))
    }
}

/// The size an SVG document declares on its root element.
fn svg_size(text: &str) -> Option<(u32, u32)> {
    use quick_xml::events::Event as Xml;
    let mut reader = quick_xml::Reader::from_str(text);
    let root = loop {
        match reader.read_event().ok()? {
            Xml::Start(e) | Xml::Empty(e) => break e,
            Xml::Eof => return None,
            _ => {}
        }
    };
    if root.local_name().as_ref() != "svg" {
        return None;
    }
    let attribute = |name: &str| {
        root.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .map(|a| a.value.to_string())
    };
    let pixels = |value: Option<String>| {
        let value = value?;
        let number = value.trim().trim_end_matches("px");
        number.parse::<f64>().ok().filter(|n| *n > 0.0)
    };
    let (width, height) = match (pixels(attribute("width")), pixels(attribute("height"))) {
        (Some(w), Some(h)) => (w, h),
        _ => {
            let view_box = attribute("viewBox")?;
            let numbers: Vec<f64> = view_box
                .split([' ', ','])
                .filter(|part| !part.is_empty())
                .filter_map(|part| part.parse().ok())
                .collect();
            match numbers[..] {
                [_, _, w, h] if w > 0.0 && h > 0.0 => (w, h),
                _ => return None,
            }
        }
    };
    Some((width.round() as u32, height.round() as u32))
}

/// An image found alone in a paragraph, with the credit paragraph after it, if any.
pub(super) struct Figure<'a> {
    pub src: CowStr<'a>,
    pub title: CowStr<'a>,
    pub alt: String,
    /// Where the image is written in the text.
    pub range: std::ops::Range<usize>,
    /// The inline events of the credit paragraph, starting with the `Source:` text.
    pub credit: Option<Vec<Spanned<'a>>>,
}

/// Called just after a paragraph's start: when the paragraph holds only an image, takes it (and
/// a credit paragraph right after it) from `events`.
pub(super) fn take_figure<'a>(events: &mut VecDeque<Spanned<'a>>) -> Option<Figure<'a>> {
    if !matches!(events.front(), Some((Event::Start(Tag::Image { .. }), _))) {
        return None;
    }
    let image_end = events
        .iter()
        .position(|(e, _)| matches!(e, Event::End(TagEnd::Image)))?;
    if !matches!(
        events.get(image_end + 1),
        Some((Event::End(TagEnd::Paragraph), _))
    ) {
        return None;
    }
    let mut image: Vec<Spanned<'a>> = events.drain(..image_end + 2).collect();
    image.truncate(image_end); // drop the image's and the paragraph's ends
    let (
        Event::Start(Tag::Image {
            dest_url, title, ..
        }),
        range,
    ) = image.remove(0)
    else {
        unreachable!("checked above")
    };
    Some(Figure {
        src: dest_url,
        title,
        alt: plain_text(&image),
        range,
        credit: take_credit(events),
    })
}

/// Takes a paragraph that begins with `Source:`, returning its inline events.
pub(super) fn take_credit<'a>(events: &mut VecDeque<Spanned<'a>>) -> Option<Vec<Spanned<'a>>> {
    take_paragraph_starting(events, &["Source:", "Sources:"])
}

/// Takes the paragraph at the front of `events` when its text begins with one of `words`,
/// returning its inline events (the paragraph's start and end dropped).
fn take_paragraph_starting<'a>(
    events: &mut VecDeque<Spanned<'a>>,
    words: &[&str],
) -> Option<Vec<Spanned<'a>>> {
    let starts = matches!(
        (events.front(), events.get(1)),
        (Some((Event::Start(Tag::Paragraph), _)), Some((Event::Text(text), _)))
            if words.iter().any(|word| text.trim_start().starts_with(word))
    );
    if !starts {
        return None;
    }
    let end = events
        .iter()
        .position(|(e, _)| matches!(e, Event::End(TagEnd::Paragraph)))?;
    let mut paragraph: Vec<Spanned<'a>> = events.drain(..=end).collect();
    paragraph.pop();
    paragraph.remove(0);
    Some(paragraph)
}

/// Called just after a table's end: when a paragraph beginning with `Table:` follows (Pandoc's
/// convention), takes it, returning its inline events without the `Table:` itself.
pub(super) fn take_table_caption<'a>(
    events: &mut VecDeque<Spanned<'a>>,
) -> Option<Vec<Spanned<'a>>> {
    let mut caption = take_paragraph_starting(events, &["Table:"])?;
    if let Some((Event::Text(text), _)) = caption.first_mut() {
        let rest = text.trim_start().trim_start_matches("Table:").trim_start();
        *text = CowStr::from(rest.to_string());
    }
    Some(caption)
}

/// The figure's opening HTML, up to its caption's title (`caption`, HTML); the credit and
/// closing tags follow.
pub(super) fn open(
    figure: &Figure<'_>,
    caption: &str,
    size: Option<(u32, u32)>,
    number: usize,
    id_prefix: &str,
) -> String {
    let mut src = String::new();
    pulldown_cmark_escape::escape_href(&mut src, &figure.src).expect("writing to a String");
    let title = if caption.is_empty() {
        String::new()
    } else {
        format!(r#" <span class="fig-title">{caption}</span>"#)
    };
    let size = size
        .map(|(w, h)| format!(r#" width="{w}" height="{h}""#))
        .unwrap_or_default();
    // Figures sit below the title block, out of the first screen: the browser loads them as
    // the reader nears them. The image links to its file, so that a reader can open a chart
    // full size (a wide chart's labels are small on a phone). `escape_href` already made `src`
    // safe in an attribute; escaping it again would break an address with `&` in it.
    // An image without alt text would leave its link without a name: the link says what it is.
    let label = if figure.alt.trim().is_empty() {
        format!(r#" aria-label="Figure {number}, full size""#)
    } else {
        String::new()
    };
    format!(
        r#"<figure id="{id_prefix}fig-{number}"><a class="figure-full" href="{src}"{label}><img src="{src}" alt="{}"{size} loading="lazy"></a><figcaption><span class="fig-label">Figure {number}.</span>{title}"#,
        escape(&figure.alt),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_sizes_come_from_width_and_height_else_the_view_box() {
        let sized = r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="600px" height="360" viewBox="0 0 1 1"/>"#;
        assert_eq!(svg_size(sized), Some((600, 360)));
        let boxed = r#"<svg viewBox="0,0 800 450" width="100%"><rect/></svg>"#;
        assert_eq!(svg_size(boxed), Some((800, 450)));
        assert_eq!(svg_size("<html></html>"), None);
        assert_eq!(svg_size("<svg></svg>"), None);
    }

    #[test]
    fn figures_are_sized_from_files_beside_the_text_and_never_outside_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("c.svg"), r#"<svg viewBox="0 0 640 480"/>"#).unwrap();
        assert_eq!(
            FigureFiles::default().size("c.svg"),
            None,
            "no folder, no lookup"
        );
        let mut files = FigureFiles {
            dir: Some(dir.path()),
            read: Vec::new(),
        };
        assert_eq!(files.size("c.svg"), Some((640, 480)));
        assert_eq!(files.size("./c.svg?v=2"), Some((640, 480)));
        assert_eq!(files.size("../c.svg"), None);
        assert_eq!(files.size("https://x.org/c.svg"), None);
        assert_eq!(files.size("missing.png"), None);
        let read = files.read;
        assert_eq!(read.len(), 5, "every lookup is recorded");
        assert!(figures_unchanged(Some(dir.path()), &read));
        std::fs::write(dir.path().join("c.svg"), r#"<svg viewBox="0 0 64 48"/>"#).unwrap();
        assert!(
            !figures_unchanged(Some(dir.path()), &read),
            "a resized file"
        );
        std::fs::write(dir.path().join("missing.png"), b"not an image").unwrap();
        std::fs::write(dir.path().join("c.svg"), r#"<svg viewBox="0 0 640 480"/>"#).unwrap();
        assert!(figures_unchanged(Some(dir.path()), &read), "still no size");
    }
}
