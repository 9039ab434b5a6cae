//! The build-script mode as a user's crate has it: every spec in `specs/` generated into
//! `OUT_DIR` on each build that changes one.

fn main() -> Result<(), topgen::BuildError> {
    topgen::Builder::new().specs("specs").generate()?;
    Ok(())
}
