//! The hayagriva entry a brief is cited as: every field "Cite this brief" gives hayagriva, in
//! one place, beside the fullest such entry (which deciding a style's tests in advance asks
//! about).

use hayagriva::Entry;
use hayagriva::types::{
    Date, EntryType, FormatString, Person, Publisher, QualifiedUrl, SerialNumber,
};
use std::collections::BTreeMap;

/// The type every brief is cited as (hayagriva's; CSL's `report`).
pub(crate) const BRIEF_ENTRY_TYPE: EntryType = EntryType::Report;

/// What hayagriva is told about a brief.
pub(crate) struct BriefEntry<'a> {
    pub key: &'a str,
    /// The title and subtitle, joined.
    pub title: String,
    pub authors: Vec<Person>,
    pub date: chrono::NaiveDate,
    pub publisher: &'a str,
    /// The brief's label, such as "Policy Brief".
    pub kind: Option<&'a str>,
    pub url: Option<url::Url>,
    pub doi: Option<&'a str>,
}

impl BriefEntry<'_> {
    pub(crate) fn entry(&self) -> Entry {
        let mut entry = Entry::new(self.key, BRIEF_ENTRY_TYPE);
        entry.set_title(FormatString::with_value(self.title.as_str()));
        entry.set_authors(self.authors.clone());
        entry.set_date(date(self.date));
        entry.set_publisher(Publisher::new(
            Some(FormatString::with_value(self.publisher)),
            None,
        ));
        if let Some(kind) = self.kind {
            entry.set_genre(FormatString::with_value(kind));
        }
        if let Some(url) = &self.url {
            entry.set_url(QualifiedUrl::new(url.clone(), None));
        }
        if let Some(doi) = self.doi {
            entry.set_serial_number(SerialNumber(BTreeMap::from([(
                "doi".to_string(),
                doi.to_string(),
            )])));
        }
        entry
    }

    /// A brief with every field a brief can have, each name part included: what a test of a
    /// variable finds absent here is absent from every brief.
    pub(crate) fn fullest() -> Entry {
        let person = Person {
            name: "Family".into(),
            given_name: Some("Given".into()),
            prefix: Some("van".into()),
            suffix: Some("Jr.".into()),
            comma_suffix: false,
            alias: None,
        };
        BriefEntry {
            key: "fullest",
            title: "Title: Subtitle".into(),
            authors: vec![person.clone(), person],
            date: chrono::NaiveDate::MIN,
            publisher: "Publisher",
            kind: Some("Policy Brief"),
            url: url::Url::parse("https://example.org/briefs/fullest/").ok(),
            doi: Some("10.1000/fullest"),
        }
        .entry()
    }
}

fn date(date: chrono::NaiveDate) -> Date {
    use chrono::Datelike;
    Date {
        year: date.year(),
        month: Some(date.month0() as u8),
        day: Some(date.day0() as u8),
        approximate: false,
        season: None,
    }
}
