//! Compares two runs' datasets field by field (`dataset/*.parquet` of two OUT_DIRs), as
//! `scripts/test-windows` does for the Windows and the Linux build: every table, every
//! column, every row, the timings (`files.millis`) left out. Prints the first differences
//! and exits 1 when there are any.
//!
//! Usage: cargo run --example compare_dataset -- OUT_A/dataset OUT_B/dataset

use std::path::PathBuf;

use jixiao_report::dataset::read_table;

const TABLES: [&str; 6] = ["files", "evaluations", "funds", "indicators", "basic_data", "anomalies"];
/// Columns that measure the run, not the files.
const TIMINGS: [&str; 1] = ["millis"];

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [a, b] = args.as_slice() else {
        eprintln!("usage: compare_dataset DATASET_A DATASET_B");
        std::process::exit(2);
    };
    let mut differences = 0;
    for table in TABLES {
        let file = format!("{table}.parquet");
        let (ta, tb) = match (read_table(&a.join(&file)), read_table(&b.join(&file))) {
            (Ok(x), Ok(y)) => (x, y),
            (x, y) => {
                println!("{table}: cannot read both ({:?} / {:?})", x.err(), y.err());
                differences += 1;
                continue;
            }
        };
        if ta.get_column_names() != tb.get_column_names() || ta.height() != tb.height() {
            println!("{table}: shapes differ: {:?} vs {:?}", ta.shape(), tb.shape());
            differences += 1;
            continue;
        }
        let mut fields = 0;
        for col in ta.columns() {
            let name = col.name().as_str();
            if TIMINGS.contains(&name) {
                continue;
            }
            let other = tb.column(name).expect("same names");
            for row in 0..ta.height() {
                let (x, y) = (col.get(row).map(|v| v.to_string()).ok(), other.get(row).map(|v| v.to_string()).ok());
                fields += 1;
                if x != y {
                    differences += 1;
                    if differences <= 20 {
                        println!("{table}.{name} row {row}: {x:?} vs {y:?}");
                    }
                }
            }
        }
        println!("{table}: {} rows, {fields} fields compared", ta.height());
    }
    if differences > 0 {
        println!("{differences} differences");
        std::process::exit(1);
    }
    println!("identical (timings aside)");
}
