//! Rustdoc from the document's descriptions: one `#[doc]` attribute per line so that
//! prettyplease prints `///` comments; Since, privileges and other notes stay as written.
//!
//! Two kinds of text meet here. The document's descriptions are VMware's prose with a little
//! Markdown (`*emphasis*`, `` `code` ``, `- ` lists): [`text`] keeps that Markdown and escapes
//! everything rustdoc would read as more (links, HTML, headings, indented code, bare URLs).
//! The generator's own paragraphs are Markdown written for rustdoc, intra-doc links included,
//! and pass through unchanged.

use proc_macro2::TokenStream;
use quote::quote;

/// Outer doc attributes (`///`), one per line of generator-written Markdown.
pub fn lines<'a>(markdown: impl IntoIterator<Item = &'a str>) -> TokenStream {
    let mut out = TokenStream::new();
    for line in markdown {
        let line = attr_text(line);
        out.extend(quote!(#[doc = #line]));
    }
    out
}

/// Inner doc attributes (`//!`) for a module, one per line of generator-written Markdown.
pub fn inner(markdown: &[&str]) -> TokenStream {
    let mut out = TokenStream::new();
    for line in markdown {
        let line = attr_text(line);
        out.extend(quote!(#![doc = #line]));
    }
    out
}

/// A doc attribute's string for one line: rustdoc strips the one space `///` is followed by,
/// which prettyplease prints from the attribute; a blank line stays empty.
fn attr_text(line: &str) -> String {
    let line = line.trim_end();
    if line.is_empty() {
        String::new()
    } else {
        format!(" {line}")
    }
}

/// Doc attributes for an optional description (the document's text, see [`text`]) followed by
/// extra paragraphs of generator-written Markdown.
pub fn doc(description: Option<&str>, extra: &[String]) -> TokenStream {
    let mut markdown = description.map(text).unwrap_or_default();
    for para in extra {
        if !markdown.is_empty() {
            markdown.push_str("\n\n");
        }
        markdown.push_str(para);
    }
    lines(markdown.lines())
}

/// The document's text as Markdown that renders what it says and nothing more. Its emphasis,
/// code spans and `- ` lists stay. Indentation goes (an indented line would be a code block,
/// and a doctest); `[`, `]`, `<`, `>`, `\` and a `#` or fence starting a line are escaped
/// outside code spans (they would be links, HTML, headings, code blocks); bare URLs become
/// autolinks.
pub fn text(description: &str) -> String {
    let mut out = String::with_capacity(description.len() + description.len() / 8);
    let mut paragraph: Vec<&str> = Vec::new();
    for line in description.lines().map(str::trim) {
        if line.is_empty() {
            flush_paragraph(&mut paragraph, &mut out);
        } else {
            paragraph.push(line);
        }
    }
    flush_paragraph(&mut paragraph, &mut out);
    out
}

/// Appends one paragraph (its lines already trimmed), a blank line before it if it is not the
/// first. Code spans may run over line ends, not over blank lines, so the paragraph is escaped
/// as a whole.
fn flush_paragraph(paragraph: &mut Vec<&str>, out: &mut String) {
    if paragraph.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    escape_paragraph(&paragraph.join("\n"), out);
    paragraph.clear();
}

fn escape_paragraph(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut line_start = true;
    while i < text.len() {
        let rest = &text[i..];
        if line_start {
            line_start = false;
            if starts_block(rest) {
                // the escaped first character is taken as is, the rest as any text
                out.push('\\');
                out.push_str(&rest[..1]);
                i += 1;
                continue;
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        match c {
            '`' => {
                let run = rest.bytes().take_while(|&b| b == b'`').count();
                match closing_backticks(&rest[run..], run) {
                    Some(end) => {
                        // a code span: rustdoc shows its text verbatim, escapes included
                        out.push_str(&rest[..run + end + run]);
                        i += run + end + run;
                    }
                    None => {
                        for _ in 0..run {
                            out.push_str("\\`");
                        }
                        i += run;
                    }
                }
                continue;
            }
            'h' if (rest.starts_with("https://") || rest.starts_with("http://")) && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) => {
                let len = url_len(rest);
                out.push('<');
                out.push_str(&rest[..len]);
                out.push('>');
                i += len;
                continue;
            }
            '[' | ']' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => {
                out.push('\n');
                line_start = true;
            }
            _ => out.push(c),
        }
        i += c.len_utf8();
    }
}

/// Whether a line starts with what Markdown reads as the start of a block other than a
/// paragraph or a list: an ATX heading, a fence, or a setext heading's underline (which would
/// make a heading of the line above).
fn starts_block(line: &str) -> bool {
    let line = line.split('\n').next().unwrap_or_default();
    line.starts_with('#')
        || line.starts_with("```")
        || line.starts_with("~~~")
        || (!line.is_empty() && (line.bytes().all(|b| b == b'=') || line.bytes().all(|b| b == b'-')) && line != "-")
}

/// Where the run of exactly `run` backticks closing a code span starts in `after` (the text
/// after the opening run), if there is one.
fn closing_backticks(after: &str, run: usize) -> Option<usize> {
    let bytes = after.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let n = bytes[i..].iter().take_while(|&&b| b == b'`').count();
            if n == run {
                return Some(i);
            }
            i += n;
        } else {
            i += 1;
        }
    }
    None
}

/// The length of the URL `text` starts with: up to white space or a character an autolink
/// cannot hold, without the punctuation that ends a sentence or closes a parenthesis.
fn url_len(text: &str) -> usize {
    let end = text.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '`' | '"')).unwrap_or(text.len());
    let url = text[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '\'', '*', '_']);
    url.len()
}

pub fn deprecated(flag: bool) -> TokenStream {
    if flag {
        quote!(#[deprecated])
    } else {
        TokenStream::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The doc strings of the attributes `tokens` holds.
    fn doc_strings(tokens: TokenStream) -> Vec<String> {
        let file: syn::File = syn::parse2(quote!(#tokens struct S;)).expect("doc attributes parse");
        let syn::Item::Struct(s) = &file.items[0] else { panic!("not a struct") };
        s.attrs
            .iter()
            .map(|a| match &a.meta {
                syn::Meta::NameValue(syn::MetaNameValue { value: syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }), .. }) => s.value(),
                _ => panic!("not a doc string"),
            })
            .collect()
    }

    #[test]
    fn escapes_what_is_not_the_documents_markdown() {
        assert_eq!(text("see [x] and a<b>c, 1 > 0"), r"see \[x\] and a\<b\>c, 1 \> 0");
        assert_eq!(text(r"C:\temp"), r"C:\\temp");
        // emphasis, code spans and lists are the document's own Markdown
        assert_eq!(text("***Required privileges:*** System.Read"), "***Required privileges:*** System.Read");
        assert_eq!(text("- `a[0]` <b>\n- `x`"), "- `a[0]` \\<b\\>\n- `x`");
        assert_eq!(text("``a ` [b]`` [c]"), "``a ` [b]`` \\[c\\]");
        // a code span may run over a line end, not over a blank line
        assert_eq!(text("`a\n[b]` [c]"), "`a\n[b]` \\[c\\]");
        assert_eq!(text("`a\n\n[b]`"), "\\`a\n\n\\[b\\]\\`");
    }

    #[test]
    fn bare_urls_become_autolinks() {
        assert_eq!(text("See https://kb.vmware.com/s/article/1234."), "See <https://kb.vmware.com/s/article/1234>.");
        assert_eq!(text("(http://a.example/x?y=1)"), "(<http://a.example/x?y=1>)");
        assert_eq!(text("`https://in.code/span`"), "`https://in.code/span`");
        assert_eq!(text("xhttp://a.example"), "xhttp://a.example");
    }

    #[test]
    fn indentation_goes_and_blocks_stay_paragraphs() {
        assert_eq!(text("\n  Since 7.0\n\n        foo\n  - item\n\tbar\n"), "Since 7.0\n\nfoo\n- item\nbar");
        assert_eq!(text("# not a heading\ntext\n---"), "\\# not a heading\ntext\n\\---");
        assert_eq!(text("```\ncode\n```"), "\\`\\`\\`\ncode\n\\`\\`\\`");
        assert_eq!(text("~~~"), "\\~~~");
        assert_eq!(text("a\n\n\n\nb"), "a\n\nb");
    }

    #[test]
    fn doc_lines_start_with_one_space_and_links_stay_links() {
        let extra = ["Body: [`Foo`](crate::types::Foo).".to_owned(), "# Faults\n- `InvalidName`".to_owned()];
        assert_eq!(
            doc_strings(doc(Some("  The [name].\n\n  Since 8.0"), &extra)),
            [" The \\[name\\].", "", " Since 8.0", "", " Body: [`Foo`](crate::types::Foo).", "", " # Faults", " - `InvalidName`"]
        );
        assert_eq!(doc_strings(doc(None, &["a".to_owned()])), [" a"]);
        assert_eq!(doc_strings(lines(["A [`Kind`].", "", "b  "])), [" A [`Kind`].", "", " b"]);
    }
}
