//! Related briefs: up to three for each brief, by what it shares with the others (the same
//! sources above all: two briefs citing the same reports are about the same thing; then
//! topics, then authors), found through inverted indexes rather than by comparing every pair.

use super::Brief;
use std::collections::HashMap;

/// How many related briefs a brief shows.
pub const SHOWN: usize = 3;

/// What one shared source, topic or author adds to two briefs' score.
const SOURCE: u32 = 4;
const TOPIC: u32 = 2;
const AUTHOR: u32 = 1;

/// How many briefs sharing one source, topic or author are weighed for a brief: those nearest
/// it in date. A statistics portal cited by thousands of briefs, or a topic of thousands, says
/// little about any two of them, and weighing them all would make the work quadratic.
const NEIGHBOURS: usize = 64;

/// The related briefs of each brief (indexes into `briefs`, which are newest first): the
/// highest scores, ties to the newer brief; none that shares nothing.
pub fn related_briefs(briefs: &[Brief]) -> Vec<Vec<usize>> {
    let postings = Postings::of(briefs);
    (0..briefs.len())
        .map(|index| postings.related(briefs, index))
        .collect()
}

/// For each source, topic and author, the briefs that have it, in site order.
struct Postings<'a> {
    sources: HashMap<&'a str, Vec<usize>>,
    topics: HashMap<usize, Vec<usize>>,
    authors: HashMap<usize, Vec<usize>>,
}

impl<'a> Postings<'a> {
    fn of(briefs: &'a [Brief]) -> Self {
        let mut postings = Postings {
            sources: HashMap::new(),
            topics: HashMap::new(),
            authors: HashMap::new(),
        };
        for (index, brief) in briefs.iter().enumerate() {
            for source in &brief.doc.body.sources {
                postings
                    .sources
                    .entry(source.url.as_str())
                    .or_default()
                    .push(index);
            }
            for &topic in &brief.topics {
                postings.topics.entry(topic).or_default().push(index);
            }
            for &author in &brief.authors {
                postings.authors.entry(author).or_default().push(index);
            }
        }
        postings
    }

    fn related(&self, briefs: &[Brief], index: usize) -> Vec<usize> {
        let brief = &briefs[index];
        let mut scores: HashMap<usize, u32> = HashMap::new();
        let lists = brief
            .doc
            .body
            .sources
            .iter()
            .map(|s| (&self.sources[s.url.as_str()], SOURCE))
            .chain(brief.topics.iter().map(|t| (&self.topics[t], TOPIC)))
            .chain(brief.authors.iter().map(|a| (&self.authors[a], AUTHOR)));
        for (list, weight) in lists {
            for &other in nearest(list, index) {
                if other != index {
                    *scores.entry(other).or_default() += weight;
                }
            }
        }
        let mut ranked: Vec<(usize, u32)> = scores.into_iter().collect();
        ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
            .into_iter()
            .take(SHOWN)
            .map(|(other, _)| other)
            .collect()
    }
}

/// The part of a posting list (sorted) nearest `index`: all of it when short, else the
/// `NEIGHBOURS` around the brief's place in it.
fn nearest(list: &[usize], index: usize) -> &[usize] {
    if list.len() <= NEIGHBOURS {
        return list;
    }
    let at = list.partition_point(|&i| i < index);
    let start = at
        .saturating_sub(NEIGHBOURS / 2)
        .min(list.len() - NEIGHBOURS);
    &list[start..start + NEIGHBOURS]
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn long_lists_are_cut_to_the_neighbours_around_the_brief() {
        let list: Vec<usize> = (0..1000).collect();
        let near = nearest(&list, 500);
        assert_eq!(near.len(), super::NEIGHBOURS);
        assert!(near.contains(&499) && near.contains(&501));
        assert_eq!(nearest(&list, 0)[0], 0);
        assert_eq!(*nearest(&list, 999).last().unwrap(), 999);
        assert_eq!(nearest(&[3, 7], 5), &[3, 7]);
    }
}
