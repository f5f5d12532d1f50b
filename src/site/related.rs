//! Related briefs: up to three for each brief, by what it shares with the others (the same
//! sources above all: two briefs citing the same reports are about the same thing; then
//! topics, then authors), found through inverted indexes rather than by comparing every pair.

use super::Site;
use rayon::prelude::*;

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

/// The related briefs of each brief of `site` (indexes into its briefs, which are newest
/// first): the highest scores, ties to the newer brief; none that shares nothing. The posting
/// lists are the site's own: the sources index's citing briefs, each topic's and author's briefs.
pub fn related_briefs(site: &Site) -> Vec<Vec<usize>> {
    let sources = SharedSources::of(site);
    (0..site.briefs.len())
        .into_par_iter()
        .map_init(
            || Scores::new(site.briefs.len()),
            |scores, index| related(site, &sources, index, scores),
        )
        .collect()
}

/// The sources cited by two briefs or more (one cited once relates nothing), each with the
/// briefs citing it; and for each brief, those it cites.
struct SharedSources {
    citing: Vec<Vec<usize>>,
    by_brief: Vec<Vec<usize>>,
}

impl SharedSources {
    fn of(site: &Site) -> Self {
        let mut shared = SharedSources {
            citing: Vec::new(),
            by_brief: vec![Vec::new(); site.briefs.len()],
        };
        let sources = site.sources.domains.iter().flat_map(|d| &d.sources);
        for source in sources.filter(|s| s.citing.len() > 1) {
            let mut briefs: Vec<usize> = source.citing.iter().map(|&(brief, _)| brief).collect();
            briefs.sort_unstable();
            for &brief in &briefs {
                shared.by_brief[brief].push(shared.citing.len());
            }
            shared.citing.push(briefs);
        }
        shared
    }
}

fn related(site: &Site, sources: &SharedSources, index: usize, scores: &mut Scores) -> Vec<usize> {
    let brief = &site.briefs[index];
    let lists = sources.by_brief[index]
        .iter()
        .map(|&source| (&sources.citing[source], SOURCE))
        .chain(
            brief
                .topics
                .iter()
                .map(|&t| (&site.topics[t].briefs, TOPIC)),
        )
        .chain(
            brief
                .authors
                .iter()
                .map(|&a| (&site.authors[a].briefs, AUTHOR)),
        );
    for (list, weight) in lists {
        for &other in nearest(list, index) {
            if other != index {
                scores.add(other, weight);
            }
        }
    }
    scores.best()
}

/// One thread's scores of every brief against the brief in hand: a flat table (a brief has
/// hundreds of candidates, and a hash map of them cost most of the stage), with the briefs
/// touched, to rank and then clear only those.
struct Scores {
    score: Vec<u32>,
    touched: Vec<usize>,
}

impl Scores {
    fn new(briefs: usize) -> Self {
        Scores {
            score: vec![0; briefs],
            touched: Vec::new(),
        }
    }

    fn add(&mut self, brief: usize, weight: u32) {
        if self.score[brief] == 0 {
            self.touched.push(brief);
        }
        self.score[brief] += weight;
    }

    /// The `SHOWN` best, highest score first, ties to the lower index (the newer brief); the
    /// table is left cleared.
    fn best(&mut self) -> Vec<usize> {
        let mut ranked: Vec<(u32, usize)> =
            self.touched.iter().map(|&b| (self.score[b], b)).collect();
        for &brief in &self.touched {
            self.score[brief] = 0;
        }
        self.touched.clear();
        let cmp = |a: &(u32, usize), b: &(u32, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if ranked.len() > SHOWN {
            ranked.select_nth_unstable_by(SHOWN, cmp);
            ranked.truncate(SHOWN);
        }
        ranked.sort_unstable_by(cmp);
        ranked.into_iter().map(|(_, brief)| brief).collect()
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
