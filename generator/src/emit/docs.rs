//! Rustdoc from the document's descriptions: one `#[doc]` attribute per line so that
//! prettyplease prints `///` comments; Since, privileges and other notes stay as written.

use proc_macro2::TokenStream;
use quote::quote;

pub fn lines<'a>(text: impl IntoIterator<Item = &'a str>) -> TokenStream {
    let mut out = TokenStream::new();
    for line in text {
        let line = format!(" {}", sanitize(line.trim_end()));
        let line = if line.trim().is_empty() { String::new() } else { line };
        out.extend(quote!(#[doc = #line]));
    }
    out
}

/// Inner doc attributes (`//!`) for a module.
pub fn inner(text: &[&str]) -> TokenStream {
    let mut out = TokenStream::new();
    for line in text {
        out.extend(quote!(#![doc = #line]));
    }
    out
}

/// Doc attributes for an optional description followed by extra paragraphs.
pub fn doc(description: Option<&str>, extra: &[String]) -> TokenStream {
    let mut text: Vec<String> = description.map(|d| d.lines().map(str::to_owned).collect()).unwrap_or_default();
    for para in extra {
        if !text.is_empty() {
            text.push(String::new());
        }
        text.extend(para.lines().map(str::to_owned));
    }
    lines(text.iter().map(String::as_str))
}

/// Keeps descriptions from turning into something rustdoc treats specially: an indented line
/// would become a code block (and a doctest), `[x]` an intra-doc link.
fn sanitize(line: &str) -> String {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    let body = trimmed.replace('[', "\\[").replace(']', "\\]");
    if indent >= 4 && !trimmed.starts_with('-') && !trimmed.starts_with('*') {
        body
    } else {
        format!("{}{}", &line[..indent.min(3)], body)
    }
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

    #[test]
    fn indented_text_does_not_become_code() {
        assert_eq!(sanitize("        foo"), "foo");
        assert_eq!(sanitize("  - item"), "  - item");
        assert_eq!(sanitize("see [x]"), "see \\[x\\]");
    }
}
