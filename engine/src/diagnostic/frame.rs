//! Code frames: the numbered lines of a text around a span, with the span's part of each line
//! marked. One computation of lines and underlines for every front end (the CLI prints carets
//! under it, the app draws a squiggle); each only chooses how many lines of context to show.

use std::ops::Range;

use super::{LineIndex, Span};

/// One line of a [`Frame`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameLine {
    /// 1-based line number.
    pub number: usize,
    /// The line's text, without its line ending (`\n` or `\r\n`).
    pub text: String,
    /// The part of `text` the span covers (byte offsets on character boundaries); `None` on a
    /// context line. Never empty but at the end of the line: an empty span marks the character
    /// after it, and where there is none (a span at the end of a line or of the text) the range
    /// is empty at `text.len()`.
    pub underline: Option<Range<usize>>,
}

impl FrameLine {
    fn marked_range(&self) -> Range<usize> {
        self.underline.clone().unwrap_or(self.text.len()..self.text.len())
    }

    /// The text before the underline (the whole line on a context line).
    pub fn before(&self) -> &str {
        self.text.get(..self.marked_range().start).unwrap_or_default()
    }

    /// The underlined text (empty on a context line or at the end of the line).
    pub fn marked(&self) -> &str {
        self.text.get(self.marked_range()).unwrap_or_default()
    }

    /// The text after the underline.
    pub fn after(&self) -> &str {
        self.text.get(self.marked_range().end..).unwrap_or_default()
    }

    /// What to print before a caret line so the carets sit under the underline in a terminal:
    /// one space per character before it, tabs kept as tabs (a tab's width is the terminal's).
    pub fn caret_indent(&self) -> String {
        self.before().chars().map(|c| if c == '\t' { '\t' } else { ' ' }).collect()
    }

    /// How many carets show the underline: one per marked character, at least one.
    pub fn caret_count(&self) -> usize {
        self.marked().chars().count().max(1)
    }
}

/// The lines of a text around a span, as a code frame shows them.
///
/// # Examples
/// ```
/// use portcullis_engine::diagnostic::{Frame, LineIndex, Span};
/// let text = "*filter\n-A INPUT --dport 99999 -j ACCEPT\nCOMMIT\n";
/// let index = LineIndex::new(text);
/// let frame = Frame::new(text, &index, Span::new(17, 30), 1);
/// let numbers: Vec<usize> = frame.lines.iter().map(|line| line.number).collect();
/// assert_eq!(numbers, [1, 2, 3]);
/// assert_eq!(frame.lines[1].marked(), "--dport 99999");
/// assert_eq!(frame.lines[0].underline, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The span's lines with `context` lines above and below (as far as the text goes).
    pub lines: Vec<FrameLine>,
}

impl Frame {
    /// The frame of `span` in `text` (indexed by `index`), with `context` lines around it. A span
    /// past the end of the text is taken at its end.
    pub fn new(text: &str, index: &LineIndex, span: Span, context: usize) -> Self {
        let start = span.start.min(text.len());
        let end = span.end.clamp(start, text.len());
        let (first, _) = index.position(text, start);
        // The line of the span's last byte (a span that ends with a newline stays on its line).
        let (last, _) = index.position(text, end.max(start + 1) - 1);
        let last = last.max(first);
        let last_line = index.position(text, text.len()).0;
        let lines = (first.saturating_sub(context).max(1)..=(last + context).min(last_line))
            .map(|number| {
                let line = index.line(text, number);
                let line_start = index.line_starts.get(number - 1).copied().unwrap_or(text.len());
                let underline = (first..=last).contains(&number).then(|| underline(line_start, line, start, end));
                FrameLine { number, text: line.strip_suffix('\r').unwrap_or(line).to_owned(), underline }
            })
            .collect();
        Self { lines }
    }
}

/// The part of `start..end` on `line` (which starts at byte `line_start` of the text), as
/// offsets in the line without its `\r`.
fn underline(line_start: usize, line: &str, start: usize, end: usize) -> Range<usize> {
    let shown = line.strip_suffix('\r').unwrap_or(line);
    let clamp = |offset: usize| offset.clamp(line_start, line_start + shown.len()) - line_start;
    // Spans come from the parser and lie on character boundaries; stay safe if one does not.
    let boundary = |at: usize| (0..=at).rev().find(|&at| shown.is_char_boundary(at)).unwrap_or(0);
    let from = boundary(clamp(start));
    let mut to = boundary(clamp(end)).max(from);
    if from == to {
        to = shown[from..].chars().next().map_or(from, |c| from + c.len_utf8());
    }
    from..to
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(text: &str, start: usize, end: usize, context: usize) -> Frame {
        Frame::new(text, &LineIndex::new(text), Span::new(start, end), context)
    }

    fn parts(line: &FrameLine) -> (usize, &str, &str, &str) {
        (line.number, line.before(), line.marked(), line.after())
    }

    #[test]
    fn one_line_with_context() {
        let text = "a\n-A INPUT -j DROP\nc\n";
        let shown = frame(text, 5, 10, 1);
        let lines: Vec<_> = shown.lines.iter().map(parts).collect();
        assert_eq!(lines, [(1, "a", "", ""), (2, "-A ", "INPUT", " -j DROP"), (3, "c", "", "")]);
        assert_eq!((shown.lines[1].caret_indent(), shown.lines[1].caret_count()), ("   ".to_owned(), 5));
        // Without context, only the span's line.
        assert_eq!(frame(text, 5, 10, 0).lines.len(), 1);
    }

    #[test]
    fn a_multi_line_span_marks_its_part_of_each_line() {
        let text = "one\n-A INPUT \\\n  -j DROP\nlast\n";
        let start = text.find("INPUT").unwrap();
        let end = text.find(" DROP").unwrap() + 5;
        let shown = frame(text, start, end, 0);
        let lines: Vec<_> = shown.lines.iter().map(parts).collect();
        assert_eq!(lines, [(2, "-A ", "INPUT \\", ""), (3, "", "  -j DROP", "")]);
        // A span that ends with its newline stays on its line; the next is context.
        let with_newline = frame(text, 4, 15, 1);
        let numbers: Vec<_> = with_newline.lines.iter().map(|line| (line.number, line.underline.is_some())).collect();
        assert_eq!(numbers, [(1, false), (2, true), (3, false)]);
    }

    #[test]
    fn tabs_stay_tabs_under_the_carets() {
        let text = "\t-A\tINPUT -j DROP\n";
        let line = &frame(text, 4, 9, 0).lines[0];
        assert_eq!(line.marked(), "INPUT");
        assert_eq!(line.caret_indent(), "\t  \t");
    }

    #[test]
    fn crlf_lines_lose_their_carriage_return() {
        let text = "*filter\r\n-A INPUT -j DROP\r\nCOMMIT\r\n";
        let start = text.find("-A").unwrap();
        // The span runs to the end of the line, `\r` included.
        let shown = frame(text, start, start + 17, 1);
        assert!(shown.lines.iter().all(|line| !line.text.contains('\r')), "{shown:?}");
        assert_eq!(parts(&shown.lines[1]), (2, "", "-A INPUT -j DROP", ""));
        assert_eq!(shown.lines[0].text, "*filter");
    }

    #[test]
    fn a_span_at_the_end_of_the_text() {
        let text = "-A INPUT\n";
        let line = &frame(text, text.len(), text.len(), 1).lines;
        // The empty last line, underlined where the text ends, after one line of context.
        assert_eq!(line.iter().map(parts).collect::<Vec<_>>(), [(1, "-A INPUT", "", ""), (2, "", "", "")]);
        assert_eq!(line[1].underline, Some(0..0));
        assert_eq!(line[1].caret_count(), 1);
        // Without a final newline, and past the end: the end of the last line.
        let text = "-A INPUT";
        let line = &frame(text, 99, 120, 0).lines[0];
        assert_eq!((line.number, line.underline.clone(), line.caret_indent().len()), (1, Some(8..8), 8));
    }

    #[test]
    fn an_empty_span_marks_the_next_character_and_empty_lines_work() {
        let text = "a\n\nb\n";
        let lines = frame(text, 2, 2, 1).lines;
        assert_eq!(lines.iter().map(parts).collect::<Vec<_>>(), [(1, "a", "", ""), (2, "", "", ""), (3, "b", "", "")]);
        assert_eq!(lines[1].underline, Some(0..0));
        assert_eq!(parts(&frame("-A INPUT", 3, 3, 0).lines[0]), (1, "-A ", "I", "NPUT"));
    }

    #[test]
    fn non_ascii_text_is_cut_on_characters() {
        let text = "-s ä€ -j ACCEPT\n";
        let start = text.find('ä').unwrap();
        let line = &frame(text, start, start + "ä€".len(), 0).lines[0];
        assert_eq!(parts(line), (1, "-s ", "ä€", " -j ACCEPT"));
        assert_eq!(line.caret_count(), 2);
        // A span that does not fall on a character boundary is moved back to one, never panics.
        let inside = &frame(text, start + 1, start + 3, 0).lines[0];
        assert_eq!(inside.marked(), "ä");
    }
}
