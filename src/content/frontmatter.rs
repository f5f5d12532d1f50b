//! Front matter: splits a file into its YAML block and body, parses the YAML (the one place
//! serde_yaml is used, so it can be swapped), and reads typed fields with their lines.

use super::SourceFile;
use super::addresses::{address_help, refused_address};
use crate::diagnostics::{Diagnostic, suggest};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_yaml::{Mapping, Value};

/// A file split at its front matter.
pub struct Split<'a> {
    pub yaml: &'a str,
    /// Byte offset of the YAML in the file.
    pub yaml_offset: usize,
    pub body: &'a str,
    /// The file line on which the body starts.
    pub body_line: usize,
}

/// Splits `---\n<yaml>\n---\n<body>`.
pub fn split(file: &SourceFile) -> Result<Split<'_>, Diagnostic> {
    let text = file.text.as_str();
    let first_line = text.lines().next().unwrap_or("");
    if first_line.trim_end() != "---" {
        return Err(
            Diagnostic::error(&file.shown, "the file does not start with front matter")
                .at(text, 1, 1)
                .width(first_line.chars().count().clamp(1, 40))
                .help(
                    "begin the file with a line `---`, the fields (`title: …`), and another `---`",
                ),
        );
    }
    let yaml_offset = first_line.len() + 1;
    let mut offset = yaml_offset;
    for (index, line) in text[yaml_offset.min(text.len())..]
        .split_inclusive('\n')
        .enumerate()
    {
        if matches!(line.trim_end(), "---" | "...") {
            let body_offset = offset + line.len();
            return Ok(Split {
                yaml: &text[yaml_offset..offset],
                yaml_offset,
                body: &text[body_offset..],
                body_line: index + 3,
            });
        }
        offset += line.len();
    }
    Err(
        Diagnostic::error(&file.shown, "the front matter is never closed")
            .at(text, 1, 1)
            .width(3)
            .help("add a line `---` after the last field, before the body text"),
    )
}

/// The fields of one front matter block, read with their places; problems are collected.
pub struct Fields<'a> {
    file: &'a SourceFile,
    yaml: &'a str,
    yaml_offset: usize,
    map: Mapping,
    pub problems: Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    /// Parses the YAML block as a mapping of fields.
    pub fn parse(file: &'a SourceFile, split: &Split<'a>) -> Result<Self, Diagnostic> {
        let map = match serde_yaml::from_str::<Value>(split.yaml) {
            Ok(Value::Mapping(map)) => map,
            Ok(Value::Null) => Mapping::new(),
            Ok(_) => {
                return Err(Diagnostic::error(
                    &file.shown,
                    "the front matter is not a list of fields",
                )
                .at(&file.text, 2, 1)
                .help("write one `field: value` per line, e.g. `title: Closing the gap`"));
            }
            Err(err) => return Err(yaml_error(file, split, &err)),
        };
        Ok(Fields {
            file,
            yaml: split.yaml,
            yaml_offset: split.yaml_offset,
            map,
            problems: Vec::new(),
        })
    }

    /// Errors for every field not in `known`, with the nearest known name.
    pub fn reject_unknown(&mut self, known: &[&str], what: &str) {
        let unknown: Vec<String> = self
            .map
            .keys()
            .map(|key| match key {
                Value::String(name) => name.clone(),
                other => serde_yaml::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            })
            .filter(|name| !known.contains(&name.as_str()))
            .collect();
        for name in unknown {
            let help = match suggest(&name, known.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("the fields of {what} are: {}", known.join(", ")),
            };
            let diagnostic = self
                .at_key(
                    Diagnostic::error(&self.file.shown, format!("unknown field `{name}`")),
                    &name,
                )
                .width(name.chars().count())
                .help(help);
            self.problems.push(diagnostic);
        }
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|value| !value.is_null())
    }

    /// A text field; `None` when absent, or wrong (then an error is recorded).
    pub fn text(&mut self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_string()),
            Value::String(_) => {
                self.wrong(
                    key,
                    "is empty",
                    format!("write some text after `{key}:`, or remove the line"),
                );
                None
            }
            other => {
                let found = kind(other);
                self.wrong(
                    key,
                    &format!("must be text, but is {found}"),
                    format!("put the value in quotes: `{key}: \"…\"`"),
                );
                None
            }
        }
    }

    /// A text field that must be present.
    pub fn required_text(&mut self, key: &str, example: &str) -> Option<String> {
        if self.get(key).is_none() {
            self.missing(key, example);
            return None;
        }
        self.text(key)
    }

    /// A `YYYY-MM-DD` date that exists.
    pub fn date(&mut self, key: &str) -> Option<NaiveDate> {
        let text = self.date_text(key)?;
        self.parse_date(key, &text)
    }

    /// A date (`2025-03-14`), or a date and time with its offset (`2025-03-14T09:00:00+01:00`,
    /// RFC 3339): the date, and the time when one is given.
    pub fn date_or_time(
        &mut self,
        key: &str,
    ) -> Option<(NaiveDate, Option<DateTime<FixedOffset>>)> {
        let text = self.date_text(key)?;
        if text.len() > 10 && text.as_bytes()[10].eq_ignore_ascii_case(&b't') {
            return match DateTime::parse_from_rfc3339(&text) {
                Ok(time) => Some((time.date_naive(), Some(time))),
                Err(_) => {
                    self.wrong_value(
                        key,
                        &text,
                        &format!("`{text}` is not a date and time with its offset"),
                        format!(
                            "write it as `{key}: 2025-03-14T09:00:00+01:00`, or the date alone"
                        ),
                    );
                    None
                }
            };
        }
        self.parse_date(key, &text).map(|date| (date, None))
    }

    /// A required `date_or_time`.
    pub fn required_date_or_time(
        &mut self,
        key: &str,
    ) -> Option<(NaiveDate, Option<DateTime<FixedOffset>>)> {
        if self.get(key).is_none() {
            self.missing(key, "2025-03-14");
            return None;
        }
        self.date_or_time(key)
    }

    /// A date field's text; an error when it is not text.
    fn date_text(&mut self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(text) => Some(text.clone()),
            other => {
                let found = kind(other);
                self.wrong(
                    key,
                    &format!("must be a date like 2025-03-14, but is {found}"),
                    format!("write `{key}: YYYY-MM-DD`"),
                );
                None
            }
        }
    }

    fn parse_date(&mut self, key: &str, text: &str) -> Option<NaiveDate> {
        let well_formed = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(date) if well_formed => Some(date),
            _ if well_formed => {
                self.wrong_value(
                    key,
                    text,
                    &format!("`{text}` is not a date that exists"),
                    "check the month and day".into(),
                );
                None
            }
            _ => {
                self.wrong_value(
                    key,
                    text,
                    &format!("`{text}` is not a date in the form YYYY-MM-DD"),
                    format!(
                        "write the date as year-month-day, e.g. `{key}: 2025-03-14`, or a date and \
                         time with its offset, `{key}: 2025-03-14T09:00:00+01:00`"
                    ),
                );
                None
            }
        }
    }

    pub fn required_date(&mut self, key: &str) -> Option<NaiveDate> {
        if self.get(key).is_none() {
            self.missing(key, "2025-03-14");
            return None;
        }
        self.date(key)
    }

    /// A list of text items, each with its place in the file (for later checks on them).
    pub fn list(&mut self, key: &str) -> Option<Vec<Located>> {
        let items = match self.get(key)? {
            Value::Sequence(items) => items.clone(),
            Value::String(one) => {
                let one = one.clone();
                self.wrong(
                    key,
                    "must be a list",
                    format!("write `{key}: [{one}]`, or one `- {one}` line per item"),
                );
                return None;
            }
            other => {
                let found = kind(other);
                self.wrong(
                    key,
                    &format!("must be a list, but is {found}"),
                    format!("write `{key}: [first, second]`"),
                );
                return None;
            }
        };
        let mut located = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Value::String(value) if !value.trim().is_empty() => {
                    let place = self.place_of_value(key, &value);
                    located.push(Located {
                        value: value.trim().to_string(),
                        place,
                    });
                }
                other => {
                    let found = kind(&other);
                    self.wrong(
                        key,
                        &format!("has an item that is {found}, not text"),
                        "write each item as text, e.g. `- jane-doe`".into(),
                    );
                }
            }
        }
        Some(located)
    }

    /// A field written as one text or as a list of them (`bibliography: refs.bib`).
    pub fn one_or_list(&mut self, key: &str) -> Option<Vec<Located>> {
        match self.get(key)? {
            Value::String(one) if !one.trim().is_empty() => {
                let one = one.clone();
                let place = self.place_of_value(key, &one);
                Some(vec![Located {
                    value: one.trim().to_string(),
                    place,
                }])
            }
            Value::String(_) => self.text(key).map(|_| Vec::new()),
            _ => self.list(key),
        }
    }

    pub fn required_list(&mut self, key: &str, example: &str) -> Option<Vec<Located>> {
        match self.get(key) {
            None => {
                self.missing(key, example);
                None
            }
            Some(Value::Sequence(items)) if items.is_empty() => {
                self.wrong(
                    key,
                    "is an empty list",
                    format!("name at least one, e.g. `{key}: {example}`"),
                );
                None
            }
            Some(_) => self.list(key),
        }
    }

    pub fn flag(&mut self, key: &str) -> bool {
        match self.get(key) {
            None => false,
            Some(Value::Bool(flag)) => *flag,
            Some(other) => {
                let found = kind(other);
                self.wrong(
                    key,
                    &format!("must be true or false, but is {found}"),
                    format!("write `{key}: true` or `{key}: false`"),
                );
                false
            }
        }
    }

    pub fn integer(&mut self, key: &str) -> Option<i64> {
        match self.get(key)? {
            Value::Number(n) if n.as_i64().is_some() => n.as_i64(),
            other => {
                let found = kind(other);
                self.wrong(
                    key,
                    &format!("must be a whole number, but is {found}"),
                    format!("write e.g. `{key}: 1`"),
                );
                None
            }
        }
    }

    /// A free value for themes (`extra`), as it is.
    pub fn value(&self, key: &str) -> Option<Value> {
        self.get(key).cloned()
    }

    /// A list of `{date, text}` maps: the brief's corrections, oldest first as written.
    pub fn corrections(&mut self, key: &str) -> Vec<Correction> {
        let Some(Value::Sequence(items)) = self.get(key).cloned() else {
            if self.get(key).is_some() {
                self.wrong(
                    key,
                    "must be a list of corrections",
                    format!("write `{key}:` then lines like `  - {{date: 2025-06-10, text: …}}`"),
                );
            }
            return Vec::new();
        };
        let mut corrections = Vec::new();
        for item in items {
            let field = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_string);
            let (Some(date), Some(text)) = (field("date"), field("text")) else {
                self.wrong(
                    key,
                    "has an item without both `date` and `text`",
                    "write each as `- {date: 2025-06-10, text: What was corrected.}`".into(),
                );
                continue;
            };
            let place = self.place_of_value(key, &date);
            if let Some(day) = self.parse_date(key, &date) {
                corrections.push(Correction {
                    date: day,
                    text: text.trim().to_string(),
                    place,
                });
            }
        }
        corrections
    }

    /// A list of `{label, url}` maps.
    pub fn links(&mut self, key: &str) -> Vec<(String, String)> {
        let Some(Value::Sequence(items)) = self.get(key).cloned() else {
            if self.get(key).is_some() {
                self.wrong(
                    key,
                    "must be a list of links",
                    format!(
                        "write `{key}:` then lines like `  - {{label: Website, url: https://…}}`"
                    ),
                );
            }
            return Vec::new();
        };
        let mut links = Vec::new();
        for item in items {
            let field = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_string);
            match (field("label"), field("url")) {
                (Some(label), Some(url)) if self.publishable(key, &url) => links.push((label, url)),
                (Some(_), Some(_)) => {}
                _ => self.wrong(
                    key,
                    "has an item without both `label` and `url`",
                    "write each link as `- {label: Website, url: https://…}`".into(),
                ),
            }
        }
        links
    }

    /// A text field that holds an address (`image:`, `photo:`): one whose scheme may not be
    /// published (`javascript:`, `data:`, `file:` …) is an error at its value.
    pub fn address(&mut self, key: &str) -> Option<String> {
        let address = self.text(key)?;
        self.publishable(key, &address).then_some(address)
    }

    /// Whether an address of `key` may be published; an error at its value when not.
    fn publishable(&mut self, key: &str, address: &str) -> bool {
        let Some(why) = refused_address(address) else {
            return true;
        };
        self.wrong_value(key, address, &why, address_help().to_string());
        false
    }

    /// A warning placed at a field.
    pub fn warn_at(&mut self, key: &str, message: String, help: String) {
        let diagnostic = self
            .at_key(Diagnostic::warning(&self.file.shown, message), key)
            .width(key.chars().count())
            .help(help);
        self.problems.push(diagnostic);
    }

    /// An error placed at a field: `<key> <what>`.
    pub fn wrong(&mut self, key: &str, what: &str, help: String) {
        let diagnostic = Diagnostic::error(&self.file.shown, format!("`{key}` {what}"));
        let diagnostic = self
            .at_key(diagnostic, key)
            .width(key.chars().count())
            .help(help);
        self.problems.push(diagnostic);
    }

    /// An error placed at a value of a field.
    pub fn wrong_value(&mut self, key: &str, value: &str, message: &str, help: String) {
        let place = self.place_of_value(key, value);
        let diagnostic = place
            .apply(Diagnostic::error(&self.file.shown, message.to_string()))
            .width(value.chars().count())
            .help(help);
        self.problems.push(diagnostic);
    }

    fn missing(&mut self, key: &str, example: &str) {
        let diagnostic = Diagnostic::error(
            &self.file.shown,
            format!("required field `{key}` is missing"),
        )
        .at(&self.file.text, 1, 1)
        .width(3)
        .help(format!("add `{key}: {example}` to the front matter"));
        self.problems.push(diagnostic);
    }

    /// Byte offset (in the file) of a top-level key's line.
    fn key_offset(&self, key: &str) -> Option<usize> {
        let mut offset = self.yaml_offset;
        for line in self.yaml.split_inclusive('\n') {
            let unquoted = line.trim_start_matches(['"', '\'']);
            if unquoted.starts_with(key)
                && unquoted[key.len()..]
                    .trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with(':')
            {
                return Some(offset);
            }
            offset += line.len();
        }
        None
    }

    fn at_key(&self, diagnostic: Diagnostic, key: &str) -> Diagnostic {
        let offset = self.key_offset(key).unwrap_or(self.yaml_offset);
        diagnostic.at_offset(&self.file.text, offset)
    }

    /// Where a value of a key is written: its first occurrence as a whole word from the key's
    /// line on (so `ada` is not found inside `ada-lovelace`).
    fn place_of_value(&self, key: &str, value: &str) -> Place {
        let start = self.key_offset(key).unwrap_or(self.yaml_offset);
        let end = self.yaml_offset + self.yaml.len();
        let block = &self.file.text[start..end];
        let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
        let offset = block
            .match_indices(value)
            .find(|(at, _)| {
                let before = block[..*at].chars().next_back();
                let after = block[at + value.len()..].chars().next();
                !before.is_some_and(is_word) && !after.is_some_and(is_word)
            })
            .map_or(start, |(at, _)| start + at);
        Place::of(&self.file.text, offset)
    }
}

/// A dated notice of a correction or update to a brief.
#[derive(Debug, Clone)]
pub struct Correction {
    pub date: NaiveDate,
    pub text: String,
    /// Where its date is written.
    pub place: Place,
}

/// A line and column in a file, with the line's text, kept for checks made after parsing.
#[derive(Debug, Clone)]
pub struct Place {
    pub line: usize,
    pub column: usize,
    pub snippet: String,
}

impl Place {
    fn of(text: &str, offset: usize) -> Self {
        let (line, column) = crate::diagnostics::line_column(text, offset);
        let snippet = text.lines().nth(line - 1).unwrap_or("").to_string();
        Place {
            line,
            column,
            snippet,
        }
    }

    /// Puts a diagnostic at this place.
    pub fn apply(&self, mut diagnostic: Diagnostic) -> Diagnostic {
        diagnostic.line = self.line;
        diagnostic.column = self.column;
        diagnostic.snippet = Some(self.snippet.clone());
        diagnostic
    }
}

/// A value from the front matter with its place.
#[derive(Debug, Clone)]
pub struct Located {
    pub value: String,
    pub place: Place,
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a map of fields",
        Value::Tagged(_) => "a tagged value",
    }
}

/// A YAML syntax error, moved from its place in the YAML block to its place in the file.
fn yaml_error(file: &SourceFile, split: &Split<'_>, err: &serde_yaml::Error) -> Diagnostic {
    let message = err.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    let diagnostic = Diagnostic::error(&file.shown, format!("the front matter is not valid YAML: {message}"))
        .help("check the indentation, the `field: value` form, and quote values that contain `: ` or start with `[`, `{`, `*`, `&`, `!`, `%`, `@` or a backquote");
    let Some(location) = err.location() else {
        return diagnostic.at(&file.text, 2, 1);
    };
    let offset = split.yaml_offset + location.index();
    match tab_near(&file.text, offset) {
        Some(tab) => Diagnostic::error(
            &file.shown,
            "the front matter is not valid YAML: a tab indents this line, and YAML allows only \
             spaces there",
        )
        .at_offset(&file.text, tab)
        .help("replace the tab with spaces (two per level, as in the lines around it)"),
        None => diagnostic.at_offset(&file.text, offset),
    }
}

/// The offset of a tab in the indentation of the line holding `offset`, or at `offset`
/// itself: what serde_yaml reports only as "a character that cannot start any token".
fn tab_near(text: &str, offset: usize) -> Option<usize> {
    let line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |at| at + 1);
    let line = &text[line_start..];
    let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
    let at_offset = text[offset.min(text.len())..].starts_with('\t');
    let in_indent = line[..indent].find('\t').map(|at| line_start + at);
    if at_offset { Some(offset) } else { in_indent }
}
