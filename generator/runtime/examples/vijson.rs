//! Decodes a vi-json payload and prints it re-encoded.
//!
//! `cargo run -p vim25 --example vijson -- decode [--strict] FILE`: the type comes from the
//! payload's top-level `_typeName`; on failure the program exits non-zero naming the JSON path.
//! Required members the payload leaves out are listed on stderr (and left out of the output
//! again); with `--strict` they are errors.

use std::process::ExitCode;
use vim25::DecodeMode;

const USAGE: &str = "usage: vijson decode [--strict] FILE";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, file) = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["decode", "--strict", file] => (DecodeMode::Strict, file.to_string()),
        ["decode", file] if !file.starts_with("--") => (DecodeMode::Tolerant, file.to_string()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (value, absent) = match vim25::from_slice_with::<vim25::types::Any>(&bytes, mode) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    for member in &absent {
        eprintln!("{file}: note: required member {member} is absent; decoded as its blank value (--strict refuses it)");
    }
    if matches!(value, vim25::types::Any::Unknown(_)) {
        eprintln!("{file}: note: `_typeName` {:?} is not known to release {}; kept verbatim", value.type_name(), vim25::RELEASE);
    }
    // the encoder's own output: `_typeName` first, members in declaration order
    match vim25::to_vec(&value).map(String::from_utf8) {
        Ok(Ok(text)) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            eprintln!("{file}: cannot encode: {e}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{file}: cannot encode: {e}");
            ExitCode::FAILURE
        }
    }
}
