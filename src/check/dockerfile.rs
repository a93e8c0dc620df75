//! Just enough of a Dockerfile parser for the deploy rules: instructions with their line,
//! continuation lines joined, comments and parser directives dropped.

/// One instruction: `keyword` upper-cased, `args` as written, `line` where it starts (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub line: u32,
    pub keyword: String,
    pub args: String,
}

pub fn parse(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut current: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if current.is_none() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if current.is_some() && trimmed.starts_with('#') {
            continue;
        }
        let (start, mut body) = current.take().unwrap_or((i as u32 + 1, String::new()));
        if let Some(head) = trimmed.strip_suffix('\\') {
            body.push_str(head.trim_end());
            body.push(' ');
            current = Some((start, body));
            continue;
        }
        body.push_str(trimmed);
        out.push(instruction(start, &body));
    }
    if let Some((start, body)) = current {
        out.push(instruction(start, &body));
    }
    out
}

fn instruction(line: u32, body: &str) -> Instruction {
    let (keyword, args) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
    Instruction {
        line,
        keyword: keyword.to_ascii_uppercase(),
        args: args.trim().to_string(),
    }
}

/// The instructions of the last stage (from the last `FROM` on).
pub fn final_stage(instructions: &[Instruction]) -> &[Instruction] {
    let start = instructions
        .iter()
        .rposition(|i| i.keyword == "FROM")
        .unwrap_or(0);
    &instructions[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_and_comments() {
        let text = "# syntax=docker/dockerfile:1\nFROM a AS build\nRUN x \\\n  # note\n  && y\nfrom b\nUSER app\n";
        let ins = parse(text);
        assert_eq!(ins.len(), 4);
        assert_eq!(ins[1].line, 3);
        assert_eq!(ins[1].args, "x && y");
        assert_eq!(final_stage(&ins)[0].keyword, "FROM");
        assert_eq!(final_stage(&ins)[1].line, 7);
    }
}
