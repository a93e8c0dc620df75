//! Issue 22, "nothing injected": a free-text answer (description, author, student) is either
//! refused with exit 2 or every JSON, YAML and TOML file of every stack still parses.

use std::collections::BTreeSet;

use folio::answers::ProjectName;
use folio::project::generate;
use folio::settings::{self, Given, Prompts};
use folio::template::registry::registry;
use folio::tree::Tree;
use proptest::prelude::*;

/// The parse error of a data file, or `None` when it parses (or is not a data file).
fn parse_error(path: &str, bytes: &[u8]) -> Option<String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some("not UTF-8".into());
    };
    if path.ends_with(".json") {
        serde_json::from_str::<serde_json::Value>(text)
            .err()
            .map(|e| e.to_string())
    } else if path.ends_with(".yaml") || path.ends_with(".yml") {
        // yaml-rust2 is lenient about YAML's character set; strict readers (PyYAML, which the
        // Python stack's tests use) refuse a file with a character outside it.
        if let Some(c) = text.chars().find(|&c| !yaml_printable(c)) {
            return Some(format!(
                "U+{:04X} is outside YAML's character set",
                c as u32
            ));
        }
        yaml_rust2::YamlLoader::load_from_str(text)
            .err()
            .map(|e| e.to_string())
    } else if path.ends_with(".toml") {
        text.parse::<toml::Table>().err().map(|e| e.to_string())
    } else {
        None
    }
}

/// YAML 1.2's `c-printable`, less U+2028/U+2029 (line breaks to YAML 1.1 readers).
fn yaml_printable(c: char) -> bool {
    matches!(c as u32,
        0x9 | 0xA | 0xD | 0x20..=0x7E | 0x85 | 0xA0..=0x2027 | 0x202A..=0xD7FF
        | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

fn render(stack: &str, text: &str) -> folio::error::Result<Tree> {
    let registry = registry()?;
    let given = Given {
        stack: Some(stack.into()),
        description: Some(text.into()),
        author: Some(text.into()),
        student: Some(text.into()),
        ..Given::default()
    };
    let resolved = settings::resolve(
        registry,
        ProjectName::parse("demo").unwrap(),
        given,
        Prompts::Never,
    )?;
    generate::render(registry, resolved.stack, &resolved.answers)
}

/// The data files of each stack that parse with the default answers (the baseline).
fn parsing_files(stack: &str) -> BTreeSet<String> {
    let tree = render(stack, "A plain description").unwrap();
    tree.iter()
        .filter(|(p, f)| parse_error(p, &f.contents).is_none())
        .map(|(p, _)| p.to_string())
        .collect()
}

fn hostile_char() -> impl Strategy<Value = char> {
    // Mostly characters a format treats specially (to be quoted), some random code points, and
    // now and then one no format may hold (to be refused).
    let special: Vec<char> =
        "\"'\\:#&*!|>%@{}[]$` -?,=<~\u{200B}\u{202E}\u{A0}é中😀\u{E000}\u{FFFD}\u{10000}"
            .chars()
            .collect();
    let forbidden: Vec<char> =
        "\u{FFFE}\u{FFFF}\u{FDD0}\u{FDEF}\u{1FFFE}\u{10FFFF}\u{2028}\u{2029}\u{FEFF}"
            .chars()
            .collect();
    prop_oneof![
        8 => prop::sample::select(special),
        2 => any::<char>(),
        1 => prop::sample::select(forbidden),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn unicode_answers_never_break_a_data_file(chars in prop::collection::vec(hostile_char(), 1..16)) {
        let text: String = chars.into_iter().collect();
        for stack in ["python-fastapi", "typescript-fastify", "go-nethttp", "java-spring", "rust-axum"] {
            let baseline = parsing_files(stack);
            let tree = match render(stack, &text) {
                Ok(tree) => tree,
                // Refused: it must be for a reason the user is told (not a render failure).
                Err(e) => {
                    let message = e.to_string();
                    prop_assert!(message.contains("U+") || message.contains("longer"), "{message}");
                    continue;
                }
            };
            for (path, file) in tree.iter().filter(|(p, _)| baseline.contains(*p)) {
                prop_assert_eq!(parse_error(path, &file.contents), None, "{} in {} with {:?}", path, stack, text);
            }
        }
    }
}

#[test]
fn unicode_non_characters_are_refused_with_the_code_point() {
    for text in [
        "x\u{FFFF}",
        "x\u{FFFE}",
        "x\u{FDD0}",
        "x\u{10FFFE}",
        "a\u{2028}b",
    ] {
        let error = render("python-fastapi", text).unwrap_err().to_string();
        assert!(error.contains("U+"), "{error}");
    }
}
