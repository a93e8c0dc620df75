//! Splitting a template's source into the lines that need Handlebars and the lines that do not.
//!
//! Why: handlebars parses with pest, character by character, and asks pest for the line and
//! column of every element (a scan from the start of the text each time). Parsing was most of the
//! time `folio new` took, yet most template lines hold no `{{` at all: the 24 KB OpenAPI file
//! needs two values, a Java source file one package line, a licence one branch of three. So a
//! template is cut, at line boundaries outside any block, into literal runs (copied as they are),
//! templated runs (rendered by Handlebars on their own), standalone partial lines (rendered from
//! the partial's own segments) and `{{#if}}`/`{{#unless}}` blocks whose tags stand alone on their
//! lines (a one-line selector picks the branch, which is then cut the same way). The output is
//! byte for byte what Handlebars gives for the whole text: a unit test in `render` compares the
//! two for every embedded template and every option.
//!
//! Only cutting at whole lines keeps Handlebars' "standalone line" rule intact: a tag alone on its
//! line is removed with its line, in a run as in the whole text. Sources using the constructs that
//! reach across lines in other ways (whitespace control `~`, raw blocks `{{{{`, a backslash before
//! an escaped `\{{`) are not cut at all and go to Handlebars whole.

/// A piece of a template source, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Text without any Handlebars syntax, outside every block: the output is the text itself.
    Literal(&'a str),
    /// Whole lines, with every block they open also closed, for Handlebars to render.
    Template(&'a str),
    /// A line holding only `{{> name}}` at column 0: the partial's output replaces the line.
    Partial { name: &'a str, line: &'a str },
    /// An `if`/`unless` block whose tags each stand alone on a line.
    Conditional(Conditional<'a>),
    /// A line holding only a comment: Handlebars removes it whole.
    Comment(&'a str),
}

/// `{{#if a}}` BODY `{{else if b}}` BODY `{{else}}` BODY `{{/if}}`, every tag on its own line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conditional<'a> {
    /// The inside of each tag, opening to closing: `#if a`, `else if b`, `else`, `/if`.
    pub tags: Vec<&'a str>,
    /// The lines between one tag and the next; one fewer than `tags`.
    pub bodies: Vec<&'a str>,
}

impl Conditional<'_> {
    /// A template that renders to the index of the branch taken, or to nothing.
    pub fn selector(&self) -> String {
        let mut out = String::new();
        for (i, tag) in self.tags.iter().enumerate() {
            out.push_str("{{");
            out.push_str(tag);
            out.push_str("}}");
            if i < self.bodies.len() {
                out.push_str(&i.to_string());
            }
        }
        out
    }
}

/// Cuts `source` into segments, in order; nothing of `source` is left out.
pub fn segments(source: &str) -> Vec<Segment<'_>> {
    let bytes = source.as_bytes();
    // Where each `{{` starts, found once with SIMD: most lines have none, so a line is only
    // looked at when one of these falls inside it.
    let tags: Vec<usize> = memchr::memmem::find_iter(bytes, b"{{").collect();
    if tags.is_empty() {
        return vec![Segment::Literal(source)];
    }
    let risky = |&at: &usize| {
        bytes.get(at + 2) == Some(&b'~')
            // `{{{` (a triple-stash, a raw block, or a stray brace before a tag) parses in ways
            // the cutter does not model, even inside a branch it would skip.
            || bytes[at..].starts_with(b"{{{")
            || (at >= 2 && &bytes[at - 2..at] == b"\\\\")
    };
    if tags.iter().any(risky) || memchr::memmem::find(bytes, b"~}}").is_some() {
        return vec![Segment::Template(source)];
    }
    let lines = lines(source);
    let mut cutter = Cutter {
        source,
        out: Vec::new(),
        run_start: 0,
        run_templated: false,
    };
    let mut scanner = Scanner::default();
    let mut next_tag = tags.iter().copied().peekable();
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        let end = start + line.len();
        while next_tag.next_if(|&at| at < start).is_some() {}
        let has_tag = next_tag.peek().is_some_and(|&at| at < end);
        let outside = !scanner.inside();
        if outside && !has_tag {
            cutter.literal_from(start);
            i += 1;
            continue;
        }
        if outside && is_standalone_comment(line) {
            cutter.push_whole(start, end, Segment::Comment(line));
            i += 1;
            continue;
        }
        if outside && let Some(name) = standalone_partial(line) {
            cutter.push_whole(start, end, Segment::Partial { name, line });
            i += 1;
            continue;
        }
        if outside && let Some((last, conditional)) = conditional(source, &lines[i..]) {
            let (end_start, end_line) = lines[i + last];
            cutter.push_whole(
                start,
                end_start + end_line.len(),
                Segment::Conditional(conditional),
            );
            i += last + 1;
            continue;
        }
        cutter.templated_from(start);
        if (has_tag || scanner.open_until.is_some()) && scanner.scan(line).is_err() {
            return vec![Segment::Template(source)];
        }
        i += 1;
    }
    if scanner.inside() {
        // Unbalanced blocks: let Handlebars see the whole text and report it properly.
        return vec![Segment::Template(source)];
    }
    cutter.finish()
}

/// Each line with its `\n`, and where it starts.
fn lines(source: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for newline in memchr::memchr_iter(b'\n', source.as_bytes()) {
        out.push((start, &source[start..=newline]));
        start = newline + 1;
    }
    if start < source.len() {
        out.push((start, &source[start..]));
    }
    out
}

/// Whether `text` includes a partial in a tag (mentions inside comments do not count).
pub fn includes_partial(text: &str) -> bool {
    let mut scanner = Scanner::default();
    for line in text.split_inclusive('\n') {
        if scanner.scan(line).is_err() {
            return true;
        }
    }
    scanner.saw_partial
}

fn find(haystack: &str, needle: &str) -> Option<usize> {
    memchr::memmem::find(haystack.as_bytes(), needle.as_bytes())
}

/// Collects runs of lines into segments.
struct Cutter<'a> {
    source: &'a str,
    out: Vec<Segment<'a>>,
    /// Start of the run being collected, and whether it is templated.
    run_start: usize,
    run_templated: bool,
}

impl<'a> Cutter<'a> {
    /// The line at `start` is literal.
    fn literal_from(&mut self, start: usize) {
        if self.run_templated {
            self.close_run(start);
            self.run_templated = false;
        }
    }

    /// The line at `start` is templated.
    fn templated_from(&mut self, start: usize) {
        if !self.run_templated {
            self.close_run(start);
            self.run_templated = true;
        }
    }

    /// Lines `start..end` are one segment of their own.
    fn push_whole(&mut self, start: usize, end: usize, segment: Segment<'a>) {
        self.close_run(start);
        self.out.push(segment);
        self.run_start = end;
        self.run_templated = false;
    }

    fn close_run(&mut self, end: usize) {
        if self.run_start < end {
            let text = &self.source[self.run_start..end];
            self.out.push(if self.run_templated {
                Segment::Template(text)
            } else {
                Segment::Literal(text)
            });
        }
        self.run_start = end;
    }

    fn finish(mut self) -> Vec<Segment<'a>> {
        self.close_run(self.source.len());
        self.out
    }
}

/// `{{> name}}` alone on its line, at column 0, with no context or parameters.
fn standalone_partial(line: &str) -> Option<&str> {
    let name = standalone_tag(line)?.strip_prefix('>')?.trim();
    // Exactly the tag and its line end: Handlebars keeps blanks after a partial's tag (found by
    // the property test in `differential`), and without a line end the line is not standalone.
    let bare = line.trim_end_matches(['\r', '\n']);
    let simple = line.starts_with("{{")
        && bare.ends_with("}}")
        && bare.len() < line.len()
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
    simple.then_some(name)
}

/// `{{! ... }}` or `{{!-- ... --}}` with nothing but blanks around it on the line.
fn is_standalone_comment(line: &str) -> bool {
    // Blanks after the tag stay in Handlebars' output when no line end follows (found by the
    // property test in `differential`); only a tag that ends its line goes whole.
    let body = line.trim_end_matches(['\r', '\n']);
    if body.len() == line.len() && body.ends_with([' ', '\t']) {
        return false;
    }
    let tag = line.trim_matches([' ', '\t', '\r', '\n']);
    if let Some(inner) = tag.strip_prefix("{{!--") {
        inner.find("--}}") == Some(inner.len() - 4)
    } else if let Some(inner) = tag.strip_prefix("{{!") {
        inner.find("}}") == Some(inner.len() - 2)
    } else {
        false
    }
}

/// The inside of the one tag on `line` when nothing but blanks surrounds it.
fn standalone_tag(line: &str) -> Option<&str> {
    let tag = line.trim_matches([' ', '\t', '\r', '\n']);
    let inner = tag.strip_prefix("{{")?.strip_suffix("}}")?;
    let plain = !inner.contains("{{") && !inner.contains("}}") && !inner.starts_with(['{', '!']);
    plain.then(|| inner.trim())
}

/// The `if`/`unless` block opening on `lines[0]`, if every tag at its level stands alone on a
/// line: the index of its closing line and the block. `None` leaves it to Handlebars whole.
fn conditional<'a>(
    source: &'a str,
    lines: &[(usize, &'a str)],
) -> Option<(usize, Conditional<'a>)> {
    let open = standalone_tag(lines[0].1)?;
    let keyword = ["#if ", "#unless "]
        .iter()
        .find(|k| open.starts_with(**k))?
        .trim_matches(['#', ' ']);
    let closing = format!("/{keyword}");
    let mut scanner = Scanner {
        blocks: vec![keyword],
        ..Scanner::default()
    };
    let mut tags = vec![open];
    let mut bodies = Vec::new();
    let mut body_start = lines[0].0 + lines[0].1.len();
    for (index, &(start, line)) in lines.iter().enumerate().skip(1) {
        if scanner.open_until.is_none() && find(line, "{{").is_none() {
            continue;
        }
        let at_top = scanner.blocks.len() == 1 && scanner.open_until.is_none();
        let tag = standalone_tag(line).filter(|_| at_top);
        match tag {
            Some(t) if t == "else" || t.starts_with("else ") || t == "^" => {
                bodies.push(&source[body_start..start]);
                tags.push(t);
                body_start = start + line.len();
            }
            Some(t) if t == closing => {
                bodies.push(&source[body_start..start]);
                tags.push(t);
                return Some((index, Conditional { tags, bodies }));
            }
            _ => {
                if at_top && (line.contains("{{else") || line.contains("{{^}}")) {
                    return None;
                }
                scanner.scan(line).ok()?;
                if scanner.blocks.is_empty() {
                    // Closed on a line shared with other text.
                    return None;
                }
            }
        }
    }
    None
}

/// Tracks the blocks open, and comments or tags left open at a line's end, across lines.
#[derive(Debug, Default)]
struct Scanner<'a> {
    /// The helper names of the blocks open, outermost first: a close must name the innermost
    /// (Handlebars refuses `{{#unless}}...{{/if}}`, even in a branch the fast path would skip;
    /// found by the property test in `differential`).
    blocks: Vec<&'a str>,
    /// Whether a tag seen so far includes a partial (`{{> name}}` or `{{#> name}}`).
    saw_partial: bool,
    /// The closing text being looked for when a tag or comment spans lines.
    open_until: Option<&'static str>,
}

/// The helper (or partial-block) name a block tag's inside starts with: `if` of `if a}}`.
fn block_name(after_sigil: &str) -> &str {
    let text = after_sigil.trim_start();
    let text = text.strip_prefix('>').map(str::trim_start).unwrap_or(text);
    let end = text
        .find(|c: char| c.is_whitespace() || c == '}' || c == '~')
        .unwrap_or(text.len());
    &text[..end]
}

/// The source cannot be cut safely (a block closes more than it opened).
struct Unbalanced;

impl<'a> Scanner<'a> {
    fn inside(&self) -> bool {
        !self.blocks.is_empty() || self.open_until.is_some()
    }

    fn scan(&mut self, line: &'a str) -> Result<(), Unbalanced> {
        let mut rest = line;
        loop {
            if let Some(close) = self.open_until {
                match find(rest, close) {
                    Some(i) => {
                        rest = &rest[i + close.len()..];
                        self.open_until = None;
                    }
                    None => return Ok(()),
                }
            }
            let Some(i) = find(rest, "{{") else {
                return Ok(());
            };
            let tag = &rest[i + 2..];
            if rest[..i].ends_with('\\') {
                // `\{{x}}` is text, printed without the backslash.
                rest = tag;
                continue;
            }
            let close = if tag.starts_with("!--") {
                "--}}"
            } else if tag.starts_with('{') {
                "}}}"
            } else {
                "}}"
            };
            let inner = tag.trim_start();
            self.saw_partial |= inner.starts_with('>') || inner.starts_with("#>");
            match inner.as_bytes().first() {
                Some(b'#') => self.blocks.push(block_name(&inner[1..])),
                // `{{^}}` is `{{else}}`; `{{^name}}` opens an inverse block.
                Some(b'^') if !inner[1..].trim_start().starts_with("}}") => {
                    self.blocks.push(block_name(&inner[1..]))
                }
                Some(b'/') if self.blocks.pop() != Some(block_name(&inner[1..])) => {
                    return Err(Unbalanced);
                }
                _ => {}
            }
            self.open_until = Some(close);
            rest = tag;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Segment::{Comment, Conditional, Literal, Partial, Template};
    use super::*;

    fn joined(segments: &[Segment<'_>]) -> String {
        segments
            .iter()
            .map(|s| match s {
                Literal(t) | Template(t) => t.to_string(),
                Partial { line, .. } | Comment(line) => line.to_string(),
                Conditional(c) => {
                    let mut text = String::new();
                    for (i, tag) in c.tags.iter().enumerate() {
                        text.push_str(&format!("{{{{{tag}}}}}\n"));
                        text.push_str(c.bodies.get(i).copied().unwrap_or(""));
                    }
                    text
                }
            })
            .collect()
    }

    #[test]
    fn plain_text_is_one_literal() {
        assert_eq!(segments("a\nb\n"), vec![Literal("a\nb\n")]);
    }

    #[test]
    fn only_tag_lines_are_templated() {
        let source = "one\npackage {{name}};\nthree\nfour\n";
        assert_eq!(
            segments(source),
            vec![
                Literal("one\n"),
                Template("package {{name}};\n"),
                Literal("three\nfour\n")
            ]
        );
    }

    #[test]
    fn an_if_with_standalone_tags_becomes_its_branches() {
        let source = "a\n{{#if x}}\nb\n{{else if (eq y \"z\")}}\n{{else}}\nc\n{{/if}}\nd\n";
        let cut = segments(source);
        let conditional = super::Conditional {
            tags: vec!["#if x", "else if (eq y \"z\")", "else", "/if"],
            bodies: vec!["b\n", "", "c\n"],
        };
        assert_eq!(
            cut,
            vec![
                Literal("a\n"),
                Conditional(conditional.clone()),
                Literal("d\n")
            ]
        );
        assert_eq!(
            conditional.selector(),
            "{{#if x}}0{{else if (eq y \"z\")}}1{{else}}2{{/if}}"
        );
        assert_eq!(joined(&cut), source);
    }

    #[test]
    fn a_block_with_tags_inside_lines_is_kept_whole() {
        for source in [
            "{{#if x}}\nb {{else}} c\n{{/if}}\nd\n",
            "{{#if x}}\nb\n{{/if}} trailing\nd\n",
            "{{#each xs}}\n{{this}}\n{{/each}}\nd\n",
        ] {
            let cut = segments(source);
            assert_eq!(cut.last(), Some(&Literal("d\n")), "{source}");
            assert!(matches!(cut[0], Template(_)), "{source}");
        }
    }

    #[test]
    fn nested_blocks_inside_a_branch_stay_in_the_branch() {
        let source = "{{#unless a}}\n{{#if b}}\nx\n{{else}}\ny\n{{/if}}\n{{/unless}}\n";
        let cut = segments(source);
        let [Conditional(c)] = cut.as_slice() else {
            panic!("{cut:?}")
        };
        assert_eq!(c.tags, vec!["#unless a", "/unless"]);
        assert_eq!(c.bodies, vec!["{{#if b}}\nx\n{{else}}\ny\n{{/if}}\n"]);
    }

    #[test]
    fn escaped_mustaches_are_text_for_the_block_count() {
        let source = "a \\{{#x}}\nb\n";
        assert_eq!(
            segments(source),
            vec![Template("a \\{{#x}}\n"), Literal("b\n")]
        );
    }

    #[test]
    fn nested_blocks_and_inverse_sections_count() {
        let source = "{{#each xs}}\n{{^if y}}\n{{/if}}\n{{^}}\nnone\n{{/each}}\ntail";
        let cut = segments(source);
        assert_eq!(cut.last(), Some(&Literal("tail")));
        assert_eq!(joined(&cut), source);
    }

    #[test]
    fn comment_lines_are_their_own_segment() {
        let source = "{{!-- about {{> p}} --}}\n  {{! short }}\r\nx {{! inline }}\n";
        assert_eq!(
            segments(source),
            vec![
                Comment("{{!-- about {{> p}} --}}\n"),
                Comment("  {{! short }}\r\n"),
                Template("x {{! inline }}\n")
            ]
        );
    }

    #[test]
    fn comments_spanning_lines_are_not_cut() {
        let source = "{{!-- a {{#if}} inside\nstill comment --}}\nafter\n";
        assert_eq!(
            segments(source),
            vec![
                Template("{{!-- a {{#if}} inside\nstill comment --}}\n"),
                Literal("after\n")
            ]
        );
    }

    #[test]
    fn standalone_partials_at_column_zero_are_their_own_segment() {
        let source = "# Title\n{{> readme_api}}\n  {{> indented}}\nend\n";
        assert_eq!(
            segments(source),
            vec![
                Literal("# Title\n"),
                Partial {
                    name: "readme_api",
                    line: "{{> readme_api}}\n"
                },
                Template("  {{> indented}}\n"),
                Literal("end\n")
            ]
        );
    }

    #[test]
    fn risky_syntax_falls_back_to_the_whole_text() {
        for source in [
            "a\n{{~x}}\nb\n",
            "a\n{{x~}}\nb\n",
            "{{{{raw}}}}{{x}}{{{{/raw}}}}\n",
            "a \\\\{{x}}\n",
            "{{/if}}\n",
            "{{#if x}}\nnever closed\n",
        ] {
            assert_eq!(segments(source), vec![Template(source)], "{source}");
        }
    }

    #[test]
    fn partials_are_found_in_tags_not_in_comments() {
        assert!(includes_partial("a\n{{#if x}}{{> p}}{{/if}}\n"));
        assert!(includes_partial("{{#> layout}}\nx\n{{/layout}}\n"));
        assert!(!includes_partial(
            "{{!-- use it as {{> p}} --}}\n{{! or {{> q}} }}\n"
        ));
    }

    #[test]
    fn cutting_loses_nothing() {
        let source = "x\r\n{{#each a}}\r\n{{b}}\r\n{{/each}}\r\ny {{{c}}}\nz";
        assert_eq!(joined(&segments(source)), source);
    }
}
