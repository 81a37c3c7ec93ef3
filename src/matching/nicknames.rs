//! Given-name variants (nicknames, short forms, common spelling variants), from two
//! sources: the English nickname dataset of the *nicknames* project (`data/nicknames/`,
//! Apache-2.0, about 1,100 names and 2,700 nicknames, compiled in), and our own table of
//! groups for the other languages the data covers (German, Dutch, French, Spanish,
//! Italian, Polish, Nordic), which no dataset we found covers. Two first names are
//! variants when they share a group of our table, or when the dataset gives one as a
//! nickname of the other. Two nicknames of one name in the dataset are not variants of
//! each other ("Ron" and "Erin" are both Aaron's): that would call different people one.
//! Retrieval expands a first name to its variants and scoring treats them as near-equal.

use std::collections::HashMap;
use std::sync::LazyLock;

/// Groups of folded given names that denote the same name. A name may sit in several
/// groups (e.g. "alex" for Alexander and Alexandra).
const GROUPS: &[&[&str]] = &[
    // English
    &["robert", "bob", "bobby", "rob", "robbie", "bert"],
    &["william", "bill", "billy", "will", "willy", "liam"],
    &[
        "elizabeth",
        "liz",
        "lizzie",
        "beth",
        "betty",
        "eliza",
        "elisabeth",
        "lisa",
        "elise",
        "els",
        "elsbeth",
    ],
    &[
        "margaret",
        "maggie",
        "meg",
        "peggy",
        "greta",
        "margarete",
        "margit",
        "grete",
    ],
    &[
        "richard", "rick", "ricky", "dick", "rich", "ricardo", "riccardo",
    ],
    &["james", "jim", "jimmy", "jamie"],
    &["john", "johnny", "jack", "jon"],
    &[
        "thomas", "tom", "tommy", "thom", "tomas", "tomasz", "tommaso",
    ],
    &[
        "michael", "mike", "mikey", "mick", "michiel", "michel", "michal", "michele", "miguel",
        "mikael", "mikkel",
    ],
    &[
        "christopher",
        "chris",
        "kit",
        "christoph",
        "christophe",
        "krzysztof",
        "cristoforo",
        "cristobal",
    ],
    &[
        "christine",
        "chris",
        "chrissy",
        "christina",
        "kristina",
        "kristin",
        "krystyna",
        "tina",
    ],
    &["jennifer", "jen", "jenny", "jenn"],
    &["daniel", "dan", "danny", "dani", "daan"],
    &[
        "alexander",
        "alex",
        "sasha",
        "sandro",
        "alessandro",
        "alejandro",
        "aleksander",
        "olek",
        "alexandre",
        "xander",
        "sander",
    ],
    &[
        "alexandra",
        "alex",
        "sasha",
        "sandra",
        "alessandra",
        "aleksandra",
        "ola",
    ],
    &[
        "andrew", "andy", "drew", "andreas", "andre", "andrea", "andres", "andrzej", "andries",
        "anders",
    ],
    &[
        "anthony", "tony", "antonio", "anton", "antoine", "antoni", "antonius", "toon",
    ],
    &["benjamin", "ben", "benji", "benny"],
    &[
        "charles", "charlie", "chuck", "carl", "karl", "carlos", "carlo", "karel", "charel",
    ],
    &["david", "dave", "davey", "dawid"],
    &[
        "edward", "ed", "eddie", "ted", "teddy", "edouard", "eduardo", "edoardo",
    ],
    &[
        "frederick",
        "fred",
        "freddie",
        "fritz",
        "friedrich",
        "frederik",
        "frits",
        "federico",
        "fryderyk",
    ],
    &[
        "joseph", "joe", "joey", "josef", "jozef", "jose", "pepe", "giuseppe", "beppe", "peppe",
        "jozsef", "sepp",
    ],
    &[
        "katherine",
        "kate",
        "katie",
        "kathy",
        "cathy",
        "catherine",
        "katharina",
        "kathi",
        "katrin",
        "katarzyna",
        "kasia",
        "caterina",
        "catalina",
        "karin",
        "katja",
        "kat",
    ],
    &[
        "matthew", "matt", "matthias", "mathias", "matteo", "mateusz", "mathieu", "matthijs",
        "mats", "mattias",
    ],
    &[
        "nicholas", "nick", "nicky", "nicolas", "niklas", "nikolaus", "klaus", "nicola", "nicolo",
        "mikolaj", "niels", "nils", "klaas",
    ],
    &["patrick", "pat", "paddy", "patricio", "patryk"],
    &["patricia", "pat", "patty", "tricia", "patrizia"],
    &[
        "peter", "pete", "pieter", "piet", "pierre", "pietro", "pedro", "piotr", "per", "peer",
    ],
    &["samuel", "sam", "sammy"],
    &["samantha", "sam", "sammy"],
    &[
        "stephen", "steve", "steven", "stefan", "stephan", "stefano", "esteban", "etienne",
        "stefaan", "szczepan",
    ],
    &[
        "susan", "sue", "susie", "suzanne", "susanne", "susanna", "zuzanna", "suzy",
    ],
    &["timothy", "tim", "timmy", "timo", "tymoteusz"],
    &["victoria", "vicky", "tori", "viktoria", "vittoria"],
    &["rebecca", "becky", "becca"],
    &["deborah", "debbie", "deb", "debora"],
    &["jessica", "jess", "jessie"],
    &["abigail", "abby", "gail"],
    &["gregory", "greg", "gregor", "gregorio", "grzegorz"],
    &["jonathan", "jon", "jonny", "johnny"],
    &["joshua", "josh"],
    &["kenneth", "ken", "kenny"],
    &[
        "lawrence",
        "larry",
        "laurence",
        "lorenzo",
        "laurens",
        "lars",
        "laurent",
        "wawrzyniec",
    ],
    &["leonard", "leo", "len", "lenny", "leonardo", "leon"],
    &["raymond", "ray", "raimund", "raymund", "raimondo", "ramon"],
    &["ronald", "ron", "ronnie"],
    &["donald", "don", "donnie"],
    &[
        "gerald", "gerry", "jerry", "gerard", "gerhard", "gerardo", "gert", "geert",
    ],
    &[
        "henry", "hank", "harry", "heinrich", "heinz", "hendrik", "henk", "henri", "enrique",
        "enrico", "henryk", "henrik",
    ],
    &[
        "francis",
        "frank",
        "fran",
        "franz",
        "francisco",
        "paco",
        "pancho",
        "francesco",
        "franco",
        "francois",
        "franciszek",
        "frans",
    ],
    &[
        "frances",
        "fran",
        "francesca",
        "francoise",
        "francisca",
        "franziska",
    ],
    // German / Dutch
    &[
        "johannes", "hans", "johann", "jan", "jens", "hannes", "joachim", "jochen", "johan",
        "joop", "jo",
    ],
    &["johanna", "hanna", "hannah", "jana", "jo", "anke"],
    &["wolfgang", "wolf"],
    &["guenther", "gunther", "gunter"],
    &[
        "jurgen", "juergen", "jorg", "joerg", "george", "georg", "jorge", "giorgio", "jerzy",
        "joris", "sjors", "georges",
    ],
    &["maximilian", "max", "maxime", "massimiliano", "maksymilian"],
    &[
        "wilhelm",
        "willem",
        "wim",
        "willi",
        "guillaume",
        "guillermo",
        "guglielmo",
        "wilhelmus",
    ],
    &["cornelis", "kees", "cor", "cornelius", "neel"],
    &["hendrika", "riek", "rika"],
    &[
        "jacobus", "jacob", "jakob", "jaap", "koos", "jacques", "jakub", "jacopo", "giacomo",
        "santiago", "diego", "kuba",
    ],
    &[
        "adrianus", "adriaan", "arie", "adrian", "adrien", "adriano", "adrianna", "janus",
    ],
    &["gijsbert", "gijs"],
    &[
        "bartholomeus",
        "bart",
        "bartolomeo",
        "bartlomiej",
        "bartek",
        "bartosz",
    ],
    &["theodor", "theo", "teun", "theodoor", "teodor", "theodore"],
    &["reinhard", "reinier", "rainer", "reiner", "ranieri"],
    &["ulrich", "uli", "ulli"],
    &["dorothea", "dorothee", "doris", "dora", "thea"],
    // French / Spanish / Italian / Portuguese
    &["jean", "jeannot"],
    &["guillaume", "guille"],
    &["manuel", "manolo", "manu", "emmanuel", "emanuele"],
    &["dolores", "lola"],
    &["concepcion", "concha", "conchita"],
    &["ignacio", "nacho", "ignazio", "ignacy"],
    &["rafael", "rafa", "raffaele", "rafal"],
    &["eduardo", "edu"],
    &["fernando", "nando", "ferdinand", "ferdinando"],
    &["roberto", "beto", "robert"],
    &["salvatore", "toto", "salvador"],
    &["vincenzo", "enzo", "vincent", "vicente", "wincenty"],
    &["domenico", "mimmo", "dominik", "dominique", "domingo"],
    &[
        "gianluca", "luca", "luka", "lukas", "lucas", "luc", "lukasz",
    ],
    // Polish
    &["wojciech", "wojtek"],
    &["malgorzata", "gosia", "margareta"],
    &["agnieszka", "aga", "agnes", "agnese", "ines", "ines"],
    &["stanislaw", "staszek", "stanley", "stan"],
    &["wladyslaw", "wladek", "ladislaus", "laszlo"],
    &["zbigniew", "zbyszek"],
    // Nordic
    &["kristoffer", "kris", "krister"],
    &["soren", "soeren"],
    &["bjorn", "bjoern", "bjorne"],
    &["ingrid", "inga", "inge"],
];

/// The nickname dataset: rows `name,has_nickname,nickname` under a header.
const DATASET: &str = include_str!("../../data/nicknames/names.csv");

/// The dataset's pairs of folded names, both ways: each name with its nicknames and each
/// nickname with the names it shortens. Rows whose names are not plain lower-case
/// letters (initials like "k.c.") are left out.
fn dataset_pairs() -> &'static HashMap<&'static str, Vec<&'static str>> {
    static PAIRS: LazyLock<HashMap<&'static str, Vec<&'static str>>> = LazyLock::new(|| {
        let mut pairs: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        let plain = |name: &str| !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase());
        for line in DATASET.lines().skip(1) {
            let mut fields = line.trim().split(',');
            let (Some(name), Some("has_nickname"), Some(nickname)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            if plain(name) && plain(nickname) && name != nickname {
                pairs.entry(name).or_default().push(nickname);
                pairs.entry(nickname).or_default().push(name);
            }
        }
        pairs
    });
    &PAIRS
}

/// The other names in the groups of `folded` (a folded given name), without itself.
pub fn variants(folded: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = groups_of(folded)
        .iter()
        .flat_map(|group| GROUPS[usize::from(*group)].iter().copied())
        .chain(dataset_pairs().get(folded).into_iter().flatten().copied())
        .filter(|name| *name != folded)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether two folded given names are variants of one name.
pub fn are_variants(a: &str, b: &str) -> bool {
    a == b
        || {
            let b_groups = groups_of(b);
            groups_of(a).iter().any(|group| b_groups.contains(group))
        }
        || dataset_pairs()
            .get(a)
            .is_some_and(|names| names.contains(&b))
}

/// The groups a name belongs to. Scoring asks for every token pair of every candidate,
/// so the table is indexed once instead of scanned each time.
fn groups_of(folded: &str) -> &'static [u16] {
    static BY_NAME: LazyLock<HashMap<&'static str, Vec<u16>>> = LazyLock::new(|| {
        let mut by_name: HashMap<&'static str, Vec<u16>> = HashMap::new();
        for (index, group) in GROUPS.iter().enumerate() {
            for name in *group {
                by_name.entry(name).or_default().push(index as u16);
            }
        }
        by_name
    });
    BY_NAME.get(folded).map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_nicknames_resolve_both_ways() {
        for (short, long) in [
            ("bob", "robert"),
            ("bill", "william"),
            ("liz", "elizabeth"),
            ("hans", "johannes"),
            ("paco", "francisco"),
            ("beppe", "giuseppe"),
            ("kasia", "katarzyna"),
        ] {
            assert!(are_variants(short, long), "{short}/{long}");
            assert!(are_variants(long, short), "{long}/{short}");
            assert!(variants(short).contains(&long));
        }
        assert!(!are_variants("robert", "william"));
        assert!(variants("zzyzx").is_empty());
    }

    #[test]
    fn the_dataset_knows_what_the_table_lacks() {
        // the short forms the issue names, and ones only the dataset has
        for (short, long) in [
            ("peggy", "margaret"),
            ("hank", "henry"),
            ("sasha", "alexandra"),
            ("midge", "margaret"),
            ("hap", "henry"),
        ] {
            assert!(are_variants(short, long), "{short}/{long}");
            assert!(are_variants(long, short), "{long}/{short}");
            assert!(variants(short).contains(&long), "{short}");
        }
        // two nicknames of one name are not variants of each other
        assert!(are_variants("aaron", "erin") && are_variants("aaron", "ron"));
        assert!(!are_variants("erin", "ron"));
    }

    #[test]
    fn table_entries_are_folded() {
        for group in GROUPS {
            for name in *group {
                assert_eq!(crate::matching::normalize::fold(name), *name);
            }
        }
    }
}
