//! Decodes a vi-json payload and prints it re-encoded.
//!
//! `cargo run -p vim25 --example vijson -- decode FILE`: the type comes from the payload's
//! top-level `_typeName`; on failure the program exits non-zero naming the JSON path.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [command, file] = args.as_slice() else {
        eprintln!("usage: vijson decode FILE");
        return ExitCode::from(2);
    };
    if command != "decode" {
        eprintln!("unknown command `{command}`; usage: vijson decode FILE");
        return ExitCode::from(2);
    }
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let value: vim25::types::Any = match vim25::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::FAILURE;
        }
    };
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
