//! A document's text as the index reads it: fields split into words, folded, counted.
//!
//! Stemming is not done here: a site has far fewer distinct words than word occurrences, so
//! the index stems each distinct word once (`index.rs`) instead of every occurrence.

use super::short_bytes::ShortBytes;
use super::vocabulary::{Vocabulary, WordKey};
use hashbrown::HashTable;
use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// The fields a document's words are counted in, in the order of `FIELD_WEIGHTS`.
pub const FIELD_COUNT: usize = 6;
pub const TITLE: usize = 0;
pub const HEADING: usize = 1;
pub const SUMMARY: usize = 2;
pub const BODY: usize = 3;
pub const NOTES: usize = 4;
pub const META: usize = 5;

/// Characters of each section's text kept for excerpts.
const EXCERPT_CHARS: usize = 320;
/// Room made for an excerpt at its first word, enough for an ASCII one (it grew by doubling
/// to 512 bytes otherwise); a section without text makes none.
const EXCERPT_BYTES: usize = EXCERPT_CHARS;

/// One word's counts in a document: per field, and the first section whose heading or text
/// has it.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct TermCounts {
    pub per_field: [u16; FIELD_COUNT],
    pub section: u16,
}

impl TermCounts {
    /// Adds `other`'s counts (another surface form of the same stem).
    pub fn merge(&mut self, other: &TermCounts) {
        let in_text = |c: &TermCounts| c.per_field[BODY] > 0 || c.per_field[HEADING] > 0;
        if in_text(other) && (!in_text(self) || other.section < self.section) {
            self.section = other.section;
        }
        for (mine, theirs) in self.per_field.iter_mut().zip(other.per_field) {
            *mine = mine.saturating_add(theirs);
        }
    }
}

/// A part of a document under one heading (the first has no heading), for sub-results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Section {
    pub anchor: String,
    pub heading: String,
    pub text: String,
}

/// A document's analysed text: what the cache keeps per document, by its content.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Analysed {
    /// Each surface word's number in the build's `Vocabulary` with its counts, packed: see
    /// `pack`.
    counts: Vec<u8>,
    pub lengths: [u32; FIELD_COUNT],
    pub sections: Vec<Section>,
}

impl Analysed {
    /// The analysis without its words' counts, once they are inverted: the cards need only
    /// its sections and lengths.
    pub fn forget_words(&mut self) {
        self.counts = Vec::new();
    }

    /// Each word's number and counts.
    pub fn words(&self) -> impl Iterator<Item = (u32, TermCounts)> + '_ {
        unpack(&self.counts)
    }
}

/// The numbers and counts `pack` wrote.
pub fn unpack(mut bytes: &[u8]) -> impl Iterator<Item = (u32, TermCounts)> + '_ {
    std::iter::from_fn(move || {
        if bytes.is_empty() {
            return None;
        }
        let word = read_number(&mut bytes);
        let mut fields = bytes[0] & ((1 << FIELD_COUNT) - 1);
        bytes = &bytes[1..];
        let mut counts = TermCounts::default();
        // The fields the word is in, lowest first: most words are in one or two of the six.
        while fields != 0 {
            let field = fields.trailing_zeros() as usize;
            fields &= fields - 1;
            counts.per_field[field] = read_number(&mut bytes) as u16;
        }
        counts.section = read_number(&mut bytes) as u16;
        Some((word, counts))
    })
}

/// A word's number and counts as bytes: the number, a byte of the fields that have the word,
/// the count in each of those, the section; numbers in LEB128 (most take one byte).
pub fn pack(out: &mut Vec<u8>, word: u32, counts: &TermCounts) {
    // At most 5 bytes for the number, 1 for the fields, 3 for each of 6 counts, 3 for the
    // section.
    let mut packed = ShortBytes::default();
    packed.leb128(word);
    let fields_at = packed.len();
    packed.push(0);
    let mut fields = 0;
    for (field, &count) in counts.per_field.iter().enumerate() {
        if count > 0 {
            fields |= 1 << field;
            packed.leb128(count.into());
        }
    }
    packed.set(fields_at, fields);
    packed.leb128(counts.section.into());
    packed.add_to(out);
}

/// A number `ShortBytes::leb128` wrote, read from the front of `bytes`.
pub fn read_number(bytes: &mut &[u8]) -> u32 {
    // Most numbers are one byte.
    if let Some((&first, rest)) = bytes.split_first()
        && first < 0x80
    {
        *bytes = rest;
        return first.into();
    }
    let mut n = 0u32;
    for (i, &byte) in bytes.iter().enumerate() {
        n |= u32::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            *bytes = &bytes[i + 1..];
            return n;
        }
    }
    *bytes = &[];
    n
}

/// The site language's Snowball stemmer, or `None` when Snowball lacks it.
pub fn stemmer_for(language: &str) -> Option<Stemmer> {
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_lowercase();
    let algorithm = match primary.as_str() {
        "ar" => Algorithm::Arabic,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hu" => Algorithm::Hungarian,
        "it" => Algorithm::Italian,
        "no" | "nb" | "nn" => Algorithm::Norwegian,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

/// A word lowercased with its diacritics removed ("Café" → "cafe").
pub fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    word.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Calls `each` with every word of `text`, unfolded, as Unicode word segmentation finds them,
/// whether it is ASCII, and its head (`head_of`) when the ASCII words read it with the text
/// around it (0 otherwise: see `word`).
///
/// Written by hand for ASCII, which is most of a brief: `unicode_words` costs several times
/// more per byte, and the index reads every brief's text. Only the run between spaces around
/// each character that is not ASCII goes to `unicode_words` (no word goes on across a space);
/// the ASCII rules below give the same words for ASCII text (a test holds them to it). A
/// paragraph with one dash or curly quote was otherwise read a word at a time, at several
/// times the cost a byte.
fn each_word<'t>(text: &'t str, mut each: impl FnMut(&'t str, bool, u128)) {
    let mut rest = text;
    while let Some(at) = first_not_ascii(rest.as_bytes()) {
        let is_space = |b: &u8| b.is_ascii_whitespace();
        let start = rest.as_bytes()[..at]
            .iter()
            .rposition(is_space)
            .map_or(0, |i| i + 1);
        let after = &rest.as_bytes()[at..];
        let end = after
            .iter()
            .position(is_space)
            .map_or(rest.len(), |i| at + i);
        ascii_words(&rest[..start], &mut each);
        rest[start..end]
            .unicode_words()
            .for_each(|word| each(word, false, 0));
        rest = &rest[end..];
    }
    ascii_words(rest, &mut each);
}

/// Where the first byte of `bytes` that is not ASCII is, looked for eight bytes at a time.
fn first_not_ascii(bytes: &[u8]) -> Option<usize> {
    let (eights, tail) = bytes.as_chunks::<8>();
    for (k, eight) in eights.iter().enumerate() {
        let high = u64::from_le_bytes(*eight) & TOP_BITS;
        if high != 0 {
            return Some(k * 8 + high.trailing_zeros() as usize / 8);
        }
    }
    let at = tail.iter().position(|b| !b.is_ascii())?;
    Some(eights.len() * 8 + at)
}

/// UAX #29's word rules for ASCII: letters, digits and `_` make words; `'`, `.` and `:`
/// join letters on both sides; `.`, `,` and `;` join digits; `'` and `.` join digits too.
///
/// The text is read 64 bytes at a time into masks of its word bytes and spaces
/// (`Block::of`), and words are found from where those start and end, a few instructions a
/// word: a branch on every byte, taken or not at each word's first and last, cost twice as
/// much a byte. Only a byte that is neither, between word bytes, is looked at on its own,
/// for the joining marks.
fn ascii_words<'t>(run: &'t str, each: &mut impl FnMut(&'t str, bool, u128)) {
    let bytes = run.as_bytes();
    // Where the word being read began, or `NONE`.
    const NONE: usize = usize::MAX;
    let mut open = NONE;
    // Whether the previous block's last byte was in a word.
    let mut carry = 0u64;
    let mut blocks = bytes.chunks(64).map(Block::of).enumerate().peekable();
    while let Some((at, block)) = blocks.next() {
        let base = at * 64;
        let next_first = blocks.peek().map_or(0, |(_, next)| next.words & 1);
        let mut words = block.words;
        // A lone mark between word bytes: a word goes on across it when `joins` says so.
        let mut marks = !words & !block.spaces & (words << 1 | carry);
        marks &= words >> 1 | next_first << 63;
        while marks != 0 {
            let bit = marks.trailing_zeros() as usize;
            marks &= marks - 1;
            let mid = base + bit;
            if joins(bytes[mid - 1], bytes[mid], bytes[mid + 1]) {
                words |= 1 << bit;
            }
        }
        let before = words << 1 | carry;
        let mut starts = words & !before;
        let mut ends = !words & before;
        carry = words >> 63;
        loop {
            if open == NONE {
                if starts == 0 {
                    break;
                }
                open = base + starts.trailing_zeros() as usize;
                starts &= starts - 1;
            }
            if ends == 0 {
                break;
            }
            let end = base + ends.trailing_zeros() as usize;
            ends &= ends - 1;
            word(run, open, end, each);
            open = NONE;
        }
    }
    if open != NONE {
        word(run, open, run.len(), each);
    }
}

/// Gives the word `run[open..end]` to `each`, with its head when it has at most 16 bytes and
/// the run 16 from its start: read in one load and masked to its length, where `head_of`
/// takes a branch on the length that the mix of a text's word lengths mispredicts (the
/// words' path cost 11 % more a byte). Not a word that is only `_`s, which UAX #29 makes no
/// word (it has no letter or digit).
#[inline]
fn word<'t>(run: &'t str, open: usize, end: usize, each: &mut impl FnMut(&'t str, bool, u128)) {
    let word = &run[open..end];
    if word.starts_with('_') && word.bytes().all(|b| b == b'_') {
        return;
    }
    let len = end - open;
    let head = match run.as_bytes().get(open..open + 16) {
        Some(sixteen) if len <= 16 => {
            let raw = u128::from_le_bytes(sixteen.try_into().expect("16 bytes"));
            raw & (u128::MAX >> (8 * (16 - len)))
        }
        _ => 0,
    };
    each(word, true, head);
}

/// Up to 64 ASCII bytes as two masks, a bit a byte: which are letters, digits or `_`, and
/// which are spaces (`' '`, tab or newline).
struct Block {
    words: u64,
    spaces: u64,
}

impl Block {
    /// The masks of `chunk`, eight bytes at a time tested in one number (a SIMD compare
    /// done in ordinary arithmetic, without `unsafe`).
    fn of(chunk: &[u8]) -> Block {
        let (eights, tail) = chunk.as_chunks::<8>();
        let (mut words, mut spaces) = (0, 0);
        let mut add = |k: usize, eight: [u8; 8]| {
            let bytes = u64::from_le_bytes(eight);
            words |= top_bits(word_bytes(bytes)) << (8 * k);
            let space = in_range(bytes, b' ', b' ') | in_range(bytes, b'\t', b'\n');
            spaces |= top_bits(space) << (8 * k);
        };
        for (k, eight) in eights.iter().enumerate() {
            add(k, *eight);
        }
        if !tail.is_empty() {
            // Zeros past the end are neither word bytes nor spaces.
            let mut padded = [0u8; 8];
            padded[..tail.len()].copy_from_slice(tail);
            add(eights.len(), padded);
        }
        Block { words, spaces }
    }
}

/// Bytes of one repeated in each of a number's eight.
const ONES: u64 = u64::MAX / 0xff;

/// The top bit of each of a number's eight bytes.
const TOP_BITS: u64 = ONES * 0x80;

/// The top bit of each byte of eight ASCII ones set where the byte is a letter, digit or `_`.
fn word_bytes(bytes: u64) -> u64 {
    // `| 0x20` makes capitals small and leaves no other byte among the small letters.
    let letters = in_range(bytes | (ONES * 0x20), b'a', b'z');
    letters | in_range(bytes, b'0', b'9') | in_range(bytes, b'_', b'_')
}

/// The top bit of each byte of eight ASCII ones set where the byte is in `low..=high`: a
/// byte's top bit, set by adding, tells whether it is at least `low`, and whether it is past
/// `high` (no sum carries into the next byte, each being below 0x80).
fn in_range(bytes: u64, low: u8, high: u8) -> u64 {
    let from_low = bytes + ONES * (0x80 - u64::from(low));
    let past_high = bytes + ONES * (0x7f - u64::from(high));
    from_low & !past_high & TOP_BITS
}

/// The top bits of a number's eight bytes as eight bits, the first byte's lowest.
fn top_bits(high: u64) -> u64 {
    (high >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Whether `mid` between `before` and `after` keeps them in one word.
fn joins(before: u8, mid: u8, after: u8) -> bool {
    let letters = || before.is_ascii_alphabetic() && after.is_ascii_alphabetic();
    let digits = || before.is_ascii_digit() && after.is_ascii_digit();
    match mid {
        b'\'' | b'.' => letters() || digits(),
        b':' => letters(),
        b',' | b';' => digits(),
        _ => false,
    }
}

/// A memo of the vocabulary's numbers, one for each of rayon's jobs: counting a word looks it
/// up in a table of the job's own, without a lock, and a document's counts are kept by number
/// from its first word, so that no document needs a table of its own nor the vocabulary once
/// it is counted.
pub struct Numbering<'v> {
    vocabulary: &'v Vocabulary,
    /// The words this memo has met, by their hash (`WordKey`'s, which the vocabulary shares).
    known: HashTable<Known>,
    /// The words longer than a head holds, spelled.
    long: Vec<Box<str>>,
    /// The document being counted: a known word's `slot` is its place in that document's
    /// counts only when the word's `document` is this one.
    document: u32,
    /// How many of the documents this memo counted have each word, by number: counted as
    /// each is finished, not in a pass over them all of its own.
    documents: Vec<u32>,
}

/// A word the memo has met: its head, its length (or where `Numbering::long` spells it), its
/// number in the vocabulary, and the last document that had it with the place of its counts
/// there. 32 bytes, two to a cache line: every word of the site probes the memo, and at
/// 10,000 briefs a memo of ~30,000 words spills out of a core's cache (with 48-byte entries,
/// a fifth of the analysis's time went to waiting for them).
struct Known {
    /// The word's first 16 bytes, zero-padded: most words are no longer, and are compared
    /// here alone.
    head: u128,
    /// A short word's length; a long one's place in `Numbering::long`, with `LONG` set.
    tail: u32,
    number: u32,
    document: u32,
    slot: u32,
}

const _: () = assert!(std::mem::size_of::<Known>() == 32);

/// Marks a `Known::tail` that is a place in `Numbering::long`.
const LONG: u32 = 1 << 31;

impl Known {
    /// Whether this is the word `key`.
    #[inline]
    fn is(&self, key: &WordKey, long: &[Box<str>]) -> bool {
        if key.is_long() {
            self.head == key.head
                && self.tail & LONG != 0
                && key.is(&long[(self.tail & !LONG) as usize])
        } else {
            self.head == key.head && self.tail == key.len
        }
    }

    /// The word's hash, as its key has it: the table needs it again when it grows.
    fn hash(&self, long: &[Box<str>]) -> u64 {
        if self.tail & LONG != 0 {
            WordKey::of(&long[(self.tail & !LONG) as usize]).hash
        } else {
            WordKey::short_hash(self.head, self.tail as usize)
        }
    }
}

impl<'v> Numbering<'v> {
    /// A memo that has met no word yet, of `vocabulary`.
    pub fn new(vocabulary: &'v Vocabulary) -> Self {
        Numbering {
            vocabulary,
            known: HashTable::with_capacity(4096),
            long: Vec::new(),
            document: 0,
            documents: Vec::new(),
        }
    }

    /// Counts a document that has the word `number`.
    fn had(&mut self, number: u32) {
        let number = number as usize;
        if number >= self.documents.len() {
            self.documents.resize(number + 1, 0);
        }
        self.documents[number] += 1;
    }

    /// Counts the words of a document analysed before (kept in the cache).
    pub fn count(&mut self, analysed: &Analysed) {
        analysed.words().for_each(|(number, _)| self.had(number));
    }

    /// How many documents this memo counted have each word, by number (the highest numbers,
    /// which none had, left out).
    pub fn into_word_documents(self) -> Vec<u32> {
        self.documents
    }

    /// The known word `key`, numbered in the vocabulary the first time this memo meets it.
    fn known(&mut self, key: &WordKey) -> &mut Known {
        let Numbering {
            vocabulary,
            known,
            long,
            ..
        } = self;
        match known.find_entry(key.hash, |k| k.is(key, long)) {
            Ok(entry) => entry.into_mut(),
            Err(absent) => {
                let known = absent.into_table();
                let tail = if key.is_long() {
                    let mut spelled = String::new();
                    key.spell(&mut spelled);
                    long.push(spelled.into());
                    (long.len() - 1) as u32 | LONG
                } else {
                    key.len
                };
                let word = Known {
                    head: key.head,
                    tail,
                    number: vocabulary.number(key),
                    document: u32::MAX,
                    slot: 0,
                };
                let long = &*long;
                known
                    .insert_unique(key.hash, word, |k| k.hash(long))
                    .into_mut()
            }
        }
    }
}

/// Builds an `Analysed` from the text of a document's fields.
pub struct Analyser<'n, 'v> {
    numbering: &'n mut Numbering<'v>,
    /// Each distinct word's number and counts, in the order the document first has them.
    counts: Vec<(u32, TermCounts)>,
    lengths: [u32; FIELD_COUNT],
    sections: Vec<Section>,
    /// Characters the current section's excerpt has room for.
    room: usize,
    /// A word being folded, when it is not ASCII or is long.
    folded: String,
}

/// The key of `word` lowercased with its diacritics removed: from its `head` when
/// `each_word` gave one, else spelled by `buffer` when it must be (a word not ASCII, or a long
/// one).
fn folded<'w>(word: &str, ascii: bool, head: u128, buffer: &'w mut String) -> WordKey<'w> {
    if head != 0 {
        return WordKey::of_ascii_head(head, word.len());
    }
    if ascii {
        return WordKey::of_ascii(word, buffer);
    }
    *buffer = fold(word);
    WordKey::of(buffer)
}

impl<'n, 'v> Analyser<'n, 'v> {
    /// An analyser of the next document, numbering its words with `numbering`.
    pub fn new(numbering: &'n mut Numbering<'v>) -> Self {
        numbering.document = numbering.document.wrapping_add(1);
        let first = Section {
            anchor: String::new(),
            heading: String::new(),
            text: String::new(),
        };
        Analyser {
            numbering,
            counts: Vec::with_capacity(1024),
            lengths: [0; FIELD_COUNT],
            sections: vec![first],
            room: EXCERPT_CHARS,
            folded: String::new(),
        }
    }

    /// Counts `text`'s words in `field`, in the current section.
    pub fn add(&mut self, field: usize, text: &str) {
        let section = (self.sections.len() - 1) as u16;
        let Analyser {
            numbering,
            counts,
            lengths,
            folded: buffer,
            ..
        } = self;
        let mut words = 0;
        each_word(text, |word, ascii, head| {
            let key = folded(word, ascii, head, buffer);
            if key.len == 0 {
                return;
            }
            let document = numbering.document;
            let known = numbering.known(&key);
            if known.document != document {
                known.document = document;
                known.slot = counts.len() as u32;
                counts.push((known.number, TermCounts::default()));
            }
            let counts = &mut counts[known.slot as usize].1;
            let in_text = counts.per_field[BODY] > 0 || counts.per_field[HEADING] > 0;
            if (field == BODY || field == HEADING) && !in_text {
                counts.section = section;
            }
            counts.per_field[field] = counts.per_field[field].saturating_add(1);
            words += 1;
        });
        lengths[field] += words;
    }

    /// Starts a section under a heading with `anchor`.
    pub fn heading(&mut self, anchor: &str, heading: &str) {
        self.sections.push(Section {
            anchor: anchor.to_string(),
            heading: heading.to_string(),
            text: String::new(),
        });
        self.room = EXCERPT_CHARS;
        self.add(HEADING, heading);
    }

    /// Body text of the current section: counted, and its start kept for excerpts.
    pub fn body(&mut self, text: &str) {
        self.add(BODY, text);
        if self.room == 0 {
            return;
        }
        let section = self.sections.last_mut().expect("a first section");
        // Only the excerpt's first words are read, each looked at for whether it is ASCII
        // (cut a byte a character) on its own: the whole text is not walked again for it.
        for word in text
            .split(char::is_whitespace)
            .filter(|word| !word.is_empty())
        {
            if self.room == 0 {
                break;
            }
            if section.text.is_empty() {
                section.text.reserve_exact(EXCERPT_BYTES);
            } else {
                section.text.push(' ');
            }
            let (kept, chars) = fitted(word, self.room, word.is_ascii());
            self.room = self.room.saturating_sub(chars + 1);
            section.text.push_str(kept);
        }
    }

    /// The HTML of a body: its text counted in sections split at each `<h2>`/`<h3>` with an id.
    pub fn body_html(&mut self, html: &str) {
        // `memchr` finds the tags: a body is read byte by byte otherwise, as long again as
        // the analysis of its words.
        let mut rest = html;
        // Made once a body, not at each note (`memmem::find` makes a finder at each call).
        let note_ref_end = memchr::memmem::Finder::new("</sup>");
        // The section's texts between tags so far, a space apart (as a tag parts words): read
        // at once when the section ends. Each text read costs a word-finding's start, and most
        // are short (a link's words) or only a line's end ("</p>\n<p>").
        let mut texts = String::with_capacity(html.len().min(4096));
        while let Some(open) = memchr::memchr(b'<', rest.as_bytes()) {
            let text = &rest[..open];
            if !text.bytes().all(|b| b.is_ascii_whitespace()) {
                texts.push_str(&decode(text));
                texts.push(' ');
            }
            rest = &rest[open..];
            let Some(close) = memchr::memchr(b'>', rest.as_bytes()) else {
                rest = "";
                break;
            };
            let tag = &rest[1..close];
            rest = &rest[close + 1..];
            if tag.starts_with("sup class=\"fn-ref\"") {
                // A note's number is no word of the text.
                let end = note_ref_end.find(rest.as_bytes());
                rest = end.map_or("", |end| &rest[end..]);
            } else if let Some(anchor) = heading_anchor(tag) {
                self.body(&texts);
                texts.clear();
                let end = rest.find("</h").unwrap_or(rest.len());
                let title = collapse(&decode(&strip_tags(&rest[..end])));
                rest = &rest[end..];
                self.heading(&anchor, &title);
            }
        }
        texts.push_str(&decode(rest));
        self.body(&texts);
    }

    /// The analysis.
    pub fn finish(self) -> Analysed {
        let mut packed = Vec::with_capacity(self.counts.len() * 6);
        for (number, counts) in &self.counts {
            pack(&mut packed, *number, counts);
            self.numbering.had(*number);
        }
        Analysed {
            counts: packed,
            lengths: self.lengths,
            sections: self.sections,
        }
    }
}

/// As much of `word` as `room` characters hold, and its characters. A word no longer in bytes
/// than the room fits whole, whatever its characters; only a longer one is walked for where
/// the room ends.
fn fitted(word: &str, room: usize, ascii: bool) -> (&str, usize) {
    if ascii {
        let kept = &word[..word.len().min(room)];
        return (kept, kept.len());
    }
    let kept = if word.len() <= room {
        word
    } else {
        word.char_indices()
            .nth(room)
            .map_or(word, |(end, _)| &word[..end])
    };
    (kept, kept.chars().count())
}

/// Text with its runs of white space made one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The id of an `h2`/`h3` opening tag.
fn heading_anchor(tag: &str) -> Option<String> {
    if !(tag.starts_with("h2") || tag.starts_with("h3")) {
        return None;
    }
    let start = tag.find("id=\"")? + 4;
    let end = tag[start..].find('"')? + start;
    Some(decode(&tag[start..end]).into_owned())
}

/// Text with tags removed, each tag replaced by a space.
pub fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = memchr::memchr(b'<', rest.as_bytes()) {
        text.push_str(&rest[..open]);
        let Some(close) = memchr::memchr(b'>', &rest.as_bytes()[open..]) else {
            // An unclosed `<` hides what follows it, as it would in a browser.
            return text;
        };
        text.push(' ');
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    text
}

/// The entities folio's Markdown writes, decoded.
fn decode(text: &str) -> Cow<'_, str> {
    if memchr::memchr(b'&', text.as_bytes()).is_none() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&#x27;", "'")
            .replace("&nbsp;", " ")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_of(text: &str) -> Vec<&str> {
        let mut found = Vec::new();
        each_word(text, |w, ascii, head| {
            if head != 0 {
                assert!(
                    ascii && head == crate::search::vocabulary::head_of(w),
                    "{w:?}"
                );
            }
            found.push(w)
        });
        found
    }

    #[test]
    fn a_word_folds_to_the_same_key_however_it_is_cased_or_accented() {
        let mut buffer = String::new();
        let key = |word: &str, buffer: &mut String| {
            let key = folded(word, word.is_ascii(), 0, buffer);
            let mut spelled = String::new();
            key.spell(&mut spelled);
            let (hash, len) = (key.hash, key.len);
            if word.is_ascii() && word.len() <= 16 {
                // The same key from the head `each_word` gives.
                let given = folded(word, true, crate::search::vocabulary::head_of(word), buffer);
                assert_eq!((given.hash, given.len), (hash, len), "{word}");
            }
            (hash, spelled)
        };
        let pairs = [
            ("Zoning", "zoning"),
            ("ZONING", "zoning"),
            ("Café", "cafe"),
            ("AZaz09_@[`{", "azaz09_@[`{"),
            ("Decarbonisation-Pathways", "decarbonisation-pathways"),
        ];
        for (word, expected) in pairs {
            let (hash, spelled) = key(word, &mut buffer);
            assert_eq!(spelled, expected, "{word}");
            assert_eq!(hash, key(expected, &mut buffer).0, "{word}");
        }
    }

    #[test]
    fn an_ascii_excerpt_is_its_words_one_space_apart_cut_at_the_room() {
        // What `body` keeps of any text, written plainly: words by Unicode white space.
        let expected = |text: &str| {
            let mut kept = String::new();
            let mut room = EXCERPT_CHARS;
            for word in text.split_whitespace() {
                if room == 0 {
                    break;
                }
                if !kept.is_empty() {
                    kept.push(' ');
                }
                let cut: String = word.chars().take(room).collect();
                room = room.saturating_sub(cut.chars().count() + 1);
                kept.push_str(&cut);
            }
            kept
        };
        let long = "x".repeat(400);
        let texts = [
            "  Heat pumps\tcut\nbills\x0bby\x0c3.5\r per  cent ".to_string(),
            format!("short {long} after"),
            "word ".repeat(100),
        ];
        for text in texts {
            let vocabulary = Vocabulary::with_words(Vec::new());
            let mut numbering = Numbering::new(&vocabulary);
            let mut analyser = Analyser::new(&mut numbering);
            analyser.body(&text);
            assert_eq!(analyser.sections[0].text, expected(&text), "{text:?}");
        }
    }

    #[test]
    fn packed_counts_unpack_as_they_were_at_every_size() {
        let mut samples = Vec::new();
        for (n, big) in [0u16, 1, 127, 128, 300, 16_383, 16_384, u16::MAX]
            .iter()
            .enumerate()
        {
            let mut counts = TermCounts::default();
            for field in 0..FIELD_COUNT {
                if (n >> (field % 3)) & 1 == 1 || field == n % FIELD_COUNT {
                    counts.per_field[field] = big.saturating_add(field as u16);
                }
            }
            counts.section = *big;
            samples.push(((*big as u32) << (n * 3), counts));
        }
        let mut bytes = Vec::new();
        for (word, counts) in &samples {
            pack(&mut bytes, *word, counts);
        }
        let read: Vec<(u32, TermCounts)> = unpack(&bytes).collect();
        assert_eq!(read.len(), samples.len());
        for ((word, counts), (read_word, read_counts)) in samples.iter().zip(&read) {
            assert_eq!(word, read_word);
            assert_eq!(counts.per_field, read_counts.per_field);
            assert_eq!(counts.section, read_counts.section);
        }
    }

    #[test]
    fn a_memo_counts_the_documents_that_have_each_word() {
        let vocabulary = Vocabulary::with_words(Vec::new());
        let mut numbering = Numbering::new(&vocabulary);
        // A long word (over 16 bytes), cased two ways, is one word too.
        let texts = [
            "heat pumps heat interconnectedness",
            "Heat networks",
            "pumps and INTERCONNECTEDNESS",
        ];
        let mut analyses = Vec::new();
        for text in texts {
            let mut analyser = Analyser::new(&mut numbering);
            analyser.add(BODY, text);
            analyses.push(analyser.finish());
        }
        // A document read from the cache is counted too.
        numbering.count(&analyses[1]);
        let counted = numbering.into_word_documents();
        let words = vocabulary.into_words();
        let documents = |word: &str| counted[words.iter().position(|w| w == word).unwrap()];
        assert_eq!(documents("heat"), 3);
        assert_eq!(documents("pumps"), 2);
        assert_eq!(documents("networks"), 2);
        assert_eq!(documents("interconnectedness"), 2);
        assert_eq!(documents("and"), 1);
    }

    #[test]
    fn tags_become_spaces_and_an_unclosed_tag_hides_the_rest() {
        assert_eq!(strip_tags("a<b>c</b>d"), "a c d");
        assert_eq!(strip_tags("note <a href=\"x\">here"), "note  here");
        assert_eq!(strip_tags("kept <unclosed tail"), "kept ");
    }

    #[test]
    fn ascii_words_are_unicode_words() {
        let samples = [
            "Heat pumps cut bills by 3.5 per cent (2,400 homes; 1;2) in 2024.",
            "don't rock'n'roll e.g. U.K. a:b 10:30 snake_case x_1 -5 +3 ...end",
            "a'  'b ''c d.. .e f,g 1,a 'quoted' “curly” under_ __init__ 3.14.15",
            "Footnote[^1] [link](https://example.org/a-b?c=d&e=f#g) <em>x</em>",
        ];
        for text in samples {
            assert_eq!(
                words_of(text),
                text.unicode_words().collect::<Vec<_>>(),
                "{text}"
            );
        }
    }

    #[test]
    fn words_are_unicode_words_across_blocks_and_other_characters() {
        // Texts of the characters the rules turn on, at lengths around the 64-byte blocks,
        // from a fixed generator (xorshift), so that a failure repeats.
        let ascii = "aZ9_ .,;:'-x0Q\t";
        let alphabet: Vec<char> = ascii.chars().chain("é–“”ß中 ".chars()).collect();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for length in (0..200).chain([255, 256, 257, 1000]) {
            for _ in 0..20 {
                let text: String = (0..length)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        // Other characters one time in eight.
                        let pick = (state >> 3) as usize;
                        let from = if state.is_multiple_of(8) {
                            alphabet.len()
                        } else {
                            ascii.len()
                        };
                        alphabet[pick % from]
                    })
                    .collect();
                assert_eq!(
                    words_of(&text),
                    text.unicode_words().collect::<Vec<_>>(),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn counts_folded_words_in_fields_and_sections() {
        let vocabulary = Vocabulary::with_words(Vec::new());
        let mut numbering = Numbering::new(&vocabulary);
        let mut analyser = Analyser::new(&mut numbering);
        analyser.add(TITLE, "Café Zoning rules");
        analyser.body_html(
            "<p>Intro &amp; more</p><h2 id=\"costs\">The <em>costs</em></h2><p>Money rules</p>",
        );
        let analysed = analyser.finish();
        let words = vocabulary.into_words();
        let counts = |w: &str| {
            let number = words.iter().position(|x| x == w).unwrap() as u32;
            analysed.words().find(|(n, _)| *n == number).unwrap().1
        };
        assert_eq!(counts("cafe").per_field[TITLE], 1);
        assert_eq!(counts("rules").per_field[TITLE], 1);
        assert_eq!(counts("rules").per_field[BODY], 1);
        assert_eq!(counts("rules").section, 1);
        assert_eq!(counts("costs").per_field[HEADING], 1);
        assert_eq!(analysed.sections[1].anchor, "costs");
        assert_eq!(analysed.sections[1].heading, "The costs");
        assert_eq!(analysed.sections[0].text, "Intro & more");
        assert!(stemmer_for("en-GB").is_some() && stemmer_for("xx").is_none());
    }
}
