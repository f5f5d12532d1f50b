//! Figures: an image alone in its paragraph becomes a `<figure>`, its title the caption, and a
//! following paragraph that begins with `Source:` its credit.

use super::{Spanned, escape, plain_text};
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use std::collections::VecDeque;

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
fn take_credit<'a>(events: &mut VecDeque<Spanned<'a>>) -> Option<Vec<Spanned<'a>>> {
    let starts_credit = matches!(
        (events.front(), events.get(1)),
        (Some((Event::Start(Tag::Paragraph), _)), Some((Event::Text(text), _)))
            if text.trim_start().starts_with("Source:") || text.trim_start().starts_with("Sources:")
    );
    if !starts_credit {
        return None;
    }
    let end = events
        .iter()
        .position(|(e, _)| matches!(e, Event::End(TagEnd::Paragraph)))?;
    let mut credit: Vec<Spanned<'a>> = events.drain(..=end).collect();
    credit.pop();
    credit.remove(0);
    Some(credit)
}

/// The figure's opening HTML, up to its caption's title; the credit and closing tags follow.
pub(super) fn open(figure: &Figure<'_>, number: usize, id_prefix: &str) -> String {
    let mut src = String::new();
    pulldown_cmark_escape::escape_href(&mut src, &figure.src).expect("writing to a String");
    let title = if figure.title.is_empty() {
        String::new()
    } else {
        format!(
            r#" <span class="fig-title">{}</span>"#,
            escape(&figure.title)
        )
    };
    format!(
        r#"<figure id="{id_prefix}fig-{number}"><img src="{}" alt="{}" loading="lazy"><figcaption><span class="fig-label">Figure {number}.</span>{title}"#,
        escape(&src),
        escape(&figure.alt),
    )
}
