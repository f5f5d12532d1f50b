//! The site's distinct words, each numbered once for the whole build, from any thread.
//!
//! Documents keep their counts by word number (a few bytes a word) instead of by string (~64
//! bytes a word with its allocation): at 10,000 briefs that is the difference between ~40 MB
//! and ~500 MB held until the index is made.

use hashbrown::HashTable;
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// Shards of the word map, so the threads analysing documents seldom wait for each other.
const SHARDS: usize = 64;

/// A folded word as the tables look it up: its first 16 bytes (`head_of`), its length, its
/// hash, and its spelling when that is longer than the head holds. Nearly every word is
/// short, so is compared, hashed and lowercased in registers, never copied.
#[derive(Clone, Copy)]
pub struct WordKey<'w> {
    pub head: u128,
    pub len: u32,
    pub hash: u64,
    /// The word, when longer than 16 bytes; otherwise empty, the head spelling it.
    long: &'w str,
}

impl<'w> WordKey<'w> {
    /// The key of a word already folded.
    pub fn of(folded: &'w str) -> WordKey<'w> {
        let head = head_of(folded);
        let long = if folded.len() > 16 { folded } else { "" };
        WordKey::new(head, folded.len(), long)
    }

    /// The key of an ASCII word lowercased: a short one's head lowercased in place, a long one
    /// copied into `buffer` first.
    #[inline]
    pub fn of_ascii(word: &str, buffer: &'w mut String) -> WordKey<'w> {
        if word.len() <= 16 {
            return WordKey::of_ascii_head(head_of(word), word.len());
        }
        buffer.clear();
        buffer.push_str(word);
        buffer.make_ascii_lowercase();
        WordKey::of(buffer)
    }

    /// The key of an ASCII word of at most 16 bytes whose bytes, zero-padded, are `head`.
    #[inline]
    pub fn of_ascii_head(head: u128, len: usize) -> WordKey<'static> {
        WordKey::new(ascii_lowercase(head), len, "")
    }

    #[inline]
    fn new(head: u128, len: usize, long: &'w str) -> WordKey<'w> {
        let hash = if long.is_empty() {
            WordKey::short_hash(head, len)
        } else {
            foldhash::fast::FixedState::with_seed(0x5eed).hash_one(long)
        };
        WordKey {
            head,
            len: len as u32,
            hash,
            long,
        }
    }

    /// The hash of a word of `len` bytes, at most 16, whose head is `head`.
    #[inline]
    pub fn short_hash(head: u128, len: usize) -> u64 {
        let mixed = folded_multiply(
            head as u64 ^ 0x243f_6a88_85a3_08d3,
            (head >> 64) as u64 ^ 0x1319_8a2e_0370_7344,
        );
        folded_multiply(mixed ^ len as u64, 0xa409_3822_299f_31d0)
    }

    /// Whether `word` is this word.
    pub fn is(&self, word: &str) -> bool {
        word.len() == self.len as usize
            && if self.long.is_empty() {
                head_of(word) == self.head
            } else {
                word == self.long
            }
    }

    /// Whether this word is longer than its head, so that comparing heads does not settle it.
    pub fn is_long(&self) -> bool {
        !self.long.is_empty()
    }

    /// The word, spelled at the end of `out`.
    pub fn spell(&self, out: &mut String) {
        if self.is_long() {
            out.push_str(self.long);
        } else {
            let bytes = self.head.to_le_bytes();
            // The head of a word of up to 16 bytes is all of it, so is whole UTF-8.
            out.push_str(std::str::from_utf8(&bytes[..self.len as usize]).unwrap_or_default());
        }
    }
}

/// The folded word's hash, as `WordKey` makes it.
pub fn word_hash(folded: &str) -> u64 {
    WordKey::of(folded).hash
}

/// The two halves of a 128-bit product, xored: foldhash's and wyhash's mixing step.
fn folded_multiply(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    product as u64 ^ (product >> 64) as u64
}

/// ASCII bytes packed in a number, their capitals made small, all at once: a byte's top bit,
/// set by adding, tells whether it is at least `A`, and whether it is past `Z`.
fn ascii_lowercase(bytes: u128) -> u128 {
    const ONES: u128 = u128::MAX / 0xff;
    let from_a = bytes + ONES * (0x80 - u128::from(b'A'));
    let past_z = bytes + ONES * (0x80 - u128::from(b'Z') - 1);
    let capitals = from_a & !past_z & (ONES * 0x80);
    bytes | capitals >> 2
}

/// A word's first 16 bytes as a number, zero-padded. Read with overlapping loads (the
/// technique of wyhash and foldhash for short inputs): a byte loop, or a copy into an array
/// read back whole, cost several times more, and every word of the site comes here.
#[inline]
pub fn head_of(word: &str) -> u128 {
    let bytes = word.as_bytes();
    let n = bytes.len();
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    match n {
        16.. => u128::from(u64_at(0)) | u128::from(u64_at(8)) << 64,
        9..16 => u128::from(u64_at(0)) | u128::from(u64_at(n - 8) >> (8 * (16 - n))) << 64,
        4..=8 => u128::from(u64::from(u32_at(0)) | u64::from(u32_at(n - 4)) << (8 * (n - 4))),
        1..=3 => {
            let byte = |at: usize| u128::from(bytes[at]) << (8 * at);
            byte(0) | byte(n / 2) | byte(n - 1)
        }
        0 => 0,
    }
}

/// A word, its hash and its number.
struct Numbered {
    hash: u64,
    word: Box<str>,
    number: u32,
}

pub struct Vocabulary {
    shards: Vec<Mutex<HashTable<Numbered>>>,
    next: AtomicU32,
}

impl Vocabulary {
    /// A vocabulary whose first numbers are `words`' positions (the last build's, from the
    /// cache, so that its documents' counts keep their meaning).
    pub fn with_words(words: Vec<String>) -> Vocabulary {
        let vocabulary = Vocabulary {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            next: AtomicU32::new(words.len() as u32),
        };
        for (n, word) in words.into_iter().enumerate() {
            let hash = word_hash(&word);
            let numbered = Numbered {
                hash,
                word: word.into_boxed_str(),
                number: n as u32,
            };
            crate::lock(vocabulary.shard(hash)).insert_unique(hash, numbered, |w| w.hash);
        }
        vocabulary
    }

    /// The shard of a hash: its top bits (the table inside uses the low ones).
    fn shard(&self, hash: u64) -> &Mutex<HashTable<Numbered>> {
        &self.shards[(hash >> 58) as usize % SHARDS]
    }

    /// The number of the word `key`, given it now if it has none.
    pub fn number(&self, key: &WordKey) -> u32 {
        let mut shard = crate::lock(self.shard(key.hash));
        if let Some(found) = shard.find(key.hash, |w| w.hash == key.hash && key.is(&w.word)) {
            return found.number;
        }
        let number = self.next.fetch_add(1, Ordering::Relaxed);
        let mut word = String::with_capacity(key.len as usize);
        key.spell(&mut word);
        let numbered = Numbered {
            hash: key.hash,
            word: word.into_boxed_str(),
            number,
        };
        shard.insert_unique(key.hash, numbered, |w| w.hash);
        number
    }

    /// Every word, at the place of its number.
    pub fn into_words(self) -> Vec<String> {
        let mut words = vec![String::new(); self.next.load(Ordering::Relaxed) as usize];
        for shard in self.shards {
            let shard = shard
                .into_inner()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            for numbered in shard {
                words[numbered.number as usize] = numbered.word.into_string();
            }
        }
        words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_is_the_first_sixteen_bytes_zero_padded_at_every_length() {
        let text = "abcdefghijklmnopqrstuvwxyzé";
        for end in (0..=text.len()).filter(|&end| text.is_char_boundary(end)) {
            let word = &text[..end];
            let mut padded = [0u8; 16];
            let kept = word.len().min(16);
            padded[..kept].copy_from_slice(&word.as_bytes()[..kept]);
            assert_eq!(head_of(word), u128::from_le_bytes(padded), "{word}");
        }
    }

    #[test]
    fn words_differing_only_in_length_or_late_bytes_hash_apart() {
        let words = [
            "a",
            "a\0",
            "ab",
            "abcdefgh",
            "abcdefghi",
            "abcdefghijklmnop",
        ];
        let longer = ["abcdefghijklmnopq", "abcdefghijklmnopr"];
        let hashes: std::collections::HashSet<u64> =
            words.iter().chain(&longer).map(|w| word_hash(w)).collect();
        assert_eq!(hashes.len(), words.len() + longer.len());
    }
}
