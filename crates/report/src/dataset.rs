//! The columnar dataset: `dataset/{files,evaluations,funds,indicators,basic_data,anomalies}.parquet`
//! with the output contract's column names and types (spec §2). Other tools read these
//! files; a renamed column breaks them, so the names live here and nowhere else.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::*;
use polars_io::parquet::write::BatchedWriter;
use polars_parquet::write::ZstdLevel;

use crate::systems::Systems;
use jixiao_forms::model::{BasicForm, Evaluation, Field};
use jixiao_rules::settings::Grades;
use jixiao_rules::versions::Superseded;
use jixiao_rules::{Anomaly, FileRecord, FileResult};

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("cannot build table {table}: {cause}")]
    Polars { table: &'static str, cause: PolarsError },
    #[error("cannot write {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
}

/// Builds a DataFrame column by column.
struct Table {
    name: &'static str,
    height: usize,
    columns: Vec<Column>,
}

impl Table {
    fn new(name: &'static str, height: usize) -> Self {
        Table { name, height, columns: Vec::new() }
    }
    /// A text column, copied once from borrowed text straight into Arrow's buffer (no
    /// `String` per cell on the way: this runs for every indicator row).
    fn str<S: AsRef<str>>(mut self, col: &str, v: impl IntoIterator<Item = Option<S>>) -> Self {
        let ca = StringChunked::from_iter_options(col.into(), v.into_iter());
        self.columns.push(ca.into_column());
        self
    }
    fn f64(mut self, col: &str, v: impl IntoIterator<Item = Option<f64>>) -> Self {
        self.columns.push(Column::new(col.into(), v.into_iter().collect::<Vec<_>>()));
        self
    }
    fn i32(mut self, col: &str, v: impl IntoIterator<Item = Option<i32>>) -> Self {
        self.columns.push(Column::new(col.into(), v.into_iter().collect::<Vec<_>>()));
        self
    }
    fn i64(mut self, col: &str, v: impl IntoIterator<Item = Option<i64>>) -> Self {
        self.columns.push(Column::new(col.into(), v.into_iter().collect::<Vec<_>>()));
        self
    }
    fn bool(mut self, col: &str, v: impl IntoIterator<Item = Option<bool>>) -> Self {
        self.columns.push(Column::new(col.into(), v.into_iter().collect::<Vec<_>>()));
        self
    }
    fn date(mut self, col: &str, v: impl IntoIterator<Item = Option<NaiveDate>>) -> Result<Self, DatasetError> {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
        let days: Vec<Option<i32>> = v.into_iter().map(|d| d.map(|d| (d - epoch).num_days() as i32)).collect();
        let c = Column::new(col.into(), days)
            .cast(&DataType::Date)
            .map_err(|cause| DatasetError::Polars { table: self.name, cause })?;
        self.columns.push(c);
        Ok(self)
    }
    fn finish(self) -> Result<DataFrame, DatasetError> {
        let name = self.name;
        DataFrame::new(self.height, self.columns).map_err(|cause| DatasetError::Polars { table: name, cause })
    }
}

fn s(f: &Field<String>) -> Option<&str> {
    f.value.as_deref()
}

/// One row per file. Besides the contract's columns, `superseded_by`: the file(s) whose
/// version of some of this file's forms counts instead (`; `-separated, null when none),
/// and `superseded_forms`: how many of its forms do not count.
/// `system`: the file's 所属系统 (`crate::systems`), from its folder or its department.
pub fn files_frame(
    files: &[FileRecord],
    superseded: &BTreeMap<String, Superseded>,
    system: impl Fn(&FileRecord) -> String,
) -> Result<DataFrame, DatasetError> {
    let sup = |f: &FileRecord| superseded.get(&f.path);
    Table::new("files", files.len())
        .str("path", files.iter().map(|f| Some(f.path.as_str())))
        .i64("bytes", files.iter().map(|f| Some(f.bytes)))
        .str("sha256", files.iter().map(|f| Some(f.sha256.as_str())))
        .str("status", files.iter().map(|f| Some(f.status.as_str())))
        .str("error", files.iter().map(|f| f.error.as_deref()))
        .i32("forms", files.iter().map(|f| Some(f.forms)))
        .i32("sheets", files.iter().map(|f| Some(f.sheets)))
        .i64("millis", files.iter().map(|f| Some(f.millis as i64)))
        .str("superseded_by", files.iter().map(|f| sup(f).map(|s| s.by.iter().cloned().collect::<Vec<_>>().join("; "))))
        .i32("superseded_forms", files.iter().map(|f| Some(sup(f).map_or(0, |s| s.forms as i32))))
        .str("system", files.iter().map(|f| Some(system(f))))
        .finish()
}

/// One row per form B or C; besides the contract's columns, `system` (所属系统),
/// `has_item_scores` (whether any item carries a score: without one, `score_calc` is 0 and
/// means nothing) and `grade_calc` (the grade of `score_calc`, what the rankings grade by
/// default; null without item scores). `grade` stays the grade of the stated total.
pub fn evaluations_frame(evals: &[&Evaluation], grades: &Grades, systems: &Systems) -> Result<DataFrame, DatasetError> {
    let e = evals;
    Table::new("evaluations", e.len())
        .str("eval_id", e.iter().map(|e| Some(e.eval_id.as_str())))
        .str("path", e.iter().map(|e| Some(e.path.as_str())))
        .str("sheet", e.iter().map(|e| Some(e.sheet.as_str())))
        .i32("row", e.iter().map(|e| Some(e.start.0 as i32 + 1)))
        .str("form", e.iter().map(|e| Some(e.form.as_str())))
        .i32("year", e.iter().map(|e| e.year))
        .str("department", e.iter().map(|e| s(&e.department)))
        .str("project", e.iter().map(|e| s(&e.project)))
        .str("project_code", e.iter().map(|e| e.project_code.as_deref()))
        .str("supervisor", e.iter().map(|e| s(&e.supervisor)))
        .str("implementer", e.iter().map(|e| s(&e.implementer)))
        .f64("budget_initial", e.iter().map(|e| e.budget_initial()))
        .f64("budget_full", e.iter().map(|e| e.budget_full()))
        .f64("executed", e.iter().map(|e| e.executed()))
        .f64("exec_weight", e.iter().map(|e| e.exec_weight()))
        .f64("exec_rate", e.iter().map(|e| e.exec_rate()))
        .f64("exec_rate_calc", e.iter().map(|e| e.exec_rate_calc()))
        .f64("exec_score", e.iter().map(|e| e.exec_score()))
        .f64("weight_total", e.iter().map(|e| e.weight_total.get()))
        .f64("weight_calc", e.iter().map(|e| Some(e.weight_calc())))
        .f64("score_total", e.iter().map(|e| e.score_total.get()))
        .f64("score_calc", e.iter().map(|e| Some(e.score_calc())))
        .str("grade", e.iter().map(|e| e.score_total.get().map(|s| grades.grade(s))))
        .bool("has_item_scores", e.iter().map(|e| Some(e.has_item_scores())))
        .str("grade_calc", e.iter().map(|e| e.has_item_scores().then(|| grades.grade(e.score_calc()))))
        .str("filled_by", e.iter().map(|e| s(&e.filled_by)))
        .date("filled_date", e.iter().map(|e| e.filled_date.get()))?
        .str("filled_date_raw", e.iter().map(|e| Some(e.filled_date.raw.as_str())))
        .str("phone", e.iter().map(|e| s(&e.phone)))
        .i32("indicators", e.iter().map(|e| Some(e.indicators.len() as i32)))
        .str("system", e.iter().map(|e| Some(systems.of(&e.path, e.department.value.as_deref()))))
        .finish()
}

pub fn funds_frame(evals: &[&Evaluation]) -> Result<DataFrame, DatasetError> {
    let rows: Vec<(&Evaluation, &jixiao_forms::model::FundRow)> =
        evals.iter().flat_map(|e| e.funds.iter().map(move |f| (*e, f))).collect();
    Table::new("funds", rows.len())
        .str("eval_id", rows.iter().map(|(e, _)| Some(e.eval_id.as_str())))
        .str("source", rows.iter().map(|(_, f)| Some(f.source.as_str())))
        .str("label", rows.iter().map(|(_, f)| Some(f.label.as_str())))
        .i32("row", rows.iter().map(|(_, f)| Some(f.row as i32 + 1)))
        .f64("initial", rows.iter().map(|(_, f)| f.initial.get()))
        .f64("full", rows.iter().map(|(_, f)| f.full.get()))
        .f64("executed", rows.iter().map(|(_, f)| f.executed.get()))
        .f64("weight", rows.iter().map(|(_, f)| f.weight.get()))
        .f64("rate", rows.iter().map(|(_, f)| f.rate.get()))
        .f64("score", rows.iter().map(|(_, f)| f.score.get()))
        .str("initial_raw", rows.iter().map(|(_, f)| Some(f.initial.raw.as_str())))
        .str("full_raw", rows.iter().map(|(_, f)| Some(f.full.raw.as_str())))
        .str("executed_raw", rows.iter().map(|(_, f)| Some(f.executed.raw.as_str())))
        .finish()
}

pub fn indicators_frame(evals: &[&Evaluation]) -> Result<DataFrame, DatasetError> {
    let rows: Vec<(&Evaluation, &jixiao_forms::model::Indicator)> =
        evals.iter().flat_map(|e| e.indicators.iter().map(move |i| (*e, i))).collect();
    Table::new("indicators", rows.len())
        .str("eval_id", rows.iter().map(|(e, _)| Some(e.eval_id.as_str())))
        .i32("row", rows.iter().map(|(_, i)| Some(i.row as i32 + 1)))
        .str("level1", rows.iter().map(|(_, i)| Some(i.level1.as_str())))
        .str("level2", rows.iter().map(|(_, i)| Some(i.level2.as_str())))
        .str("level3", rows.iter().map(|(_, i)| Some(i.level3.as_str())))
        .str("target", rows.iter().map(|(_, i)| s(&i.target)))
        .str("actual", rows.iter().map(|(_, i)| s(&i.actual)))
        .f64("weight", rows.iter().map(|(_, i)| i.weight.get()))
        .f64("score", rows.iter().map(|(_, i)| i.score.get()))
        .str("reason", rows.iter().map(|(_, i)| s(&i.reason)))
        .str("target_op", rows.iter().map(|(_, i)| i.target_op.map(jixiao_text::values::Op::symbol)))
        .f64("target_value", rows.iter().map(|(_, i)| i.target_value))
        .f64("target_value_hi", rows.iter().map(|(_, i)| i.target_hi))
        .f64("actual_value", rows.iter().map(|(_, i)| i.actual_value))
        .str("unit", rows.iter().map(|(_, i)| i.unit.as_deref()))
        .bool("met", rows.iter().map(|(_, i)| i.met))
        .str("weight_raw", rows.iter().map(|(_, i)| Some(i.weight.raw.as_str())))
        .str("score_raw", rows.iter().map(|(_, i)| Some(i.score.raw.as_str())))
        .finish()
}

pub fn basic_frame(basics: &[&BasicForm]) -> Result<DataFrame, DatasetError> {
    // staffing first (section `staff`, value in `final`), then the spending lines
    struct Row<'a> {
        b: &'a BasicForm,
        row: i32,
        section: &'static str,
        item: String,
        parent: Option<String>,
        prev: Option<f64>,
        budget: Option<f64>,
        fin: Option<f64>,
    }
    let mut rows = Vec::new();
    for b in basics {
        for (item, f) in [("编制数", &b.staff_authorized), ("实际在职人数", &b.staff_actual), ("控制率", &b.staff_rate)]
        {
            if let Some(at) = f.at {
                rows.push(Row {
                    b,
                    row: at.0 as i32 + 1,
                    section: "staff",
                    item: item.into(),
                    parent: Some("财政供养人员情况".into()),
                    prev: None,
                    budget: None,
                    fin: f.get(),
                });
            }
        }
        for l in &b.lines {
            rows.push(Row {
                b,
                row: l.row as i32 + 1,
                section: "spending",
                item: l.item.clone(),
                parent: l.parent.clone(),
                prev: l.prev_final.get(),
                budget: l.budget.get(),
                fin: l.final_.get(),
            });
        }
    }
    Table::new("basic_data", rows.len())
        .str("path", rows.iter().map(|r| Some(r.b.path.as_str())))
        .str("sheet", rows.iter().map(|r| Some(r.b.sheet.as_str())))
        .i32("row", rows.iter().map(|r| Some(r.row)))
        .str("department", rows.iter().map(|r| Some(r.b.department.as_str())))
        .i32("year", rows.iter().map(|r| r.b.year))
        .str("section", rows.iter().map(|r| Some(r.section)))
        .str("item", rows.iter().map(|r| Some(r.item.as_str())))
        .str("parent", rows.iter().map(|r| r.parent.as_deref()))
        .f64("prev_final", rows.iter().map(|r| r.prev))
        .f64("budget", rows.iter().map(|r| r.budget))
        .f64("final", rows.iter().map(|r| r.fin))
        .finish()
}

/// One row per finding, those of superseded versions included; besides the contract's
/// columns, `system` (所属系统) and `superseded`: true for a finding of a form another
/// version of which counts (listed in 已替代版本的疑点, never counted). Each finding comes
/// with that flag.
pub fn anomalies_frame(a: &[(&Anomaly, bool)], systems: &Systems) -> Result<DataFrame, DatasetError> {
    Table::new("anomalies", a.len())
        .str("rule", a.iter().map(|(a, _)| Some(a.rule)))
        .str("severity", a.iter().map(|(a, _)| Some(a.severity.as_str())))
        .str("path", a.iter().map(|(a, _)| Some(a.path.as_str())))
        .str("sheet", a.iter().map(|(a, _)| Some(a.sheet.as_str())))
        .str("cell", a.iter().map(|(a, _)| Some(a.cell.as_str())))
        .str("eval_id", a.iter().map(|(a, _)| a.eval_id.as_deref()))
        .str("department", a.iter().map(|(a, _)| Some(a.department.as_str())))
        .str("project", a.iter().map(|(a, _)| Some(a.project.as_str())))
        .str("message", a.iter().map(|(a, _)| Some(a.message.as_str())))
        .f64("expected", a.iter().map(|(a, _)| a.expected))
        .f64("actual", a.iter().map(|(a, _)| a.actual))
        .str("expected_text", a.iter().map(|(a, _)| a.expected_text.as_deref()))
        .str("actual_text", a.iter().map(|(a, _)| a.actual_text.as_deref()))
        .str("system", a.iter().map(|(a, _)| Some(systems.of(&a.path, Some(a.department.as_str())))))
        .bool("superseded", a.iter().map(|(_, s)| Some(*s)))
        .finish()
}

type Writer = BatchedWriter<File>;

/// Writes the dataset as results arrive: the four large tables (evaluations, funds,
/// indicators, basic_data) are streamed as Parquet row groups, one per chunk of files, so
/// nothing accumulates in memory; files and anomalies, small and known only at the end,
/// are written by [`DatasetWriter::finish`].
pub struct DatasetWriter {
    dir: PathBuf,
    grades: Grades,
    evaluations: Writer,
    funds: Writer,
    indicators: Writer,
    basic_data: Writer,
    systems: Systems,
    /// path → the department of the file's first form, for the file log's 系统.
    file_department: std::collections::HashMap<String, String>,
}

fn compression() -> ParquetCompression {
    ParquetCompression::Zstd(ZstdLevel::try_new(3).ok())
}

fn open_batched(dir: &Path, name: &str, empty: DataFrame) -> Result<Writer, DatasetError> {
    let path = dir.join(format!("{name}.parquet"));
    let file = File::create(&path).map_err(|cause| DatasetError::Io { path: path.display().to_string(), cause })?;
    ParquetWriter::new(file)
        .with_compression(compression())
        .batched(empty.schema())
        .map_err(|cause| DatasetError::Polars { table: "parquet", cause })
}

fn write_frame(dir: &Path, name: &str, mut df: DataFrame) -> Result<(), DatasetError> {
    let path = dir.join(format!("{name}.parquet"));
    let file = File::create(&path).map_err(|cause| DatasetError::Io { path: path.display().to_string(), cause })?;
    ParquetWriter::new(file)
        .with_compression(compression())
        .finish(&mut df)
        .map_err(|cause| DatasetError::Polars { table: "parquet", cause })?;
    Ok(())
}

impl DatasetWriter {
    /// Creates `dir` and the streamed tables, with the contract's schemas.
    pub fn create(dir: &Path, grades: &Grades) -> Result<DatasetWriter, DatasetError> {
        std::fs::create_dir_all(dir).map_err(|cause| DatasetError::Io { path: dir.display().to_string(), cause })?;
        Ok(DatasetWriter {
            dir: dir.to_path_buf(),
            grades: grades.clone(),
            evaluations: open_batched(dir, "evaluations", evaluations_frame(&[], grades, &Systems::default())?)?,
            funds: open_batched(dir, "funds", funds_frame(&[])?)?,
            indicators: open_batched(dir, "indicators", indicators_frame(&[])?)?,
            basic_data: open_batched(dir, "basic_data", basic_frame(&[])?)?,
            systems: Systems::default(),
            file_department: Default::default(),
        })
    }

    /// How the `system` columns are filled (before the first [`DatasetWriter::write`]).
    pub fn set_systems(&mut self, systems: Systems) {
        self.systems = systems;
    }

    /// Appends the forms of some files.
    pub fn write(&mut self, results: &[FileResult]) -> Result<(), DatasetError> {
        let evals: Vec<&Evaluation> = results.iter().flat_map(|r| &r.evaluations).collect();
        let basics: Vec<&BasicForm> = results.iter().flat_map(|r| &r.basics).collect();
        for e in &evals {
            if let Some(d) = e.department.value.as_deref() {
                self.file_department.entry(e.path.clone()).or_insert_with(|| d.to_string());
            }
        }
        let batch = |w: &mut Writer, df: DataFrame| {
            if df.height() == 0 {
                return Ok(());
            }
            w.write_batch(&df).map_err(|cause| DatasetError::Polars { table: "parquet", cause })
        };
        batch(&mut self.evaluations, evaluations_frame(&evals, &self.grades, &self.systems)?)?;
        batch(&mut self.funds, funds_frame(&evals)?)?;
        batch(&mut self.indicators, indicators_frame(&evals)?)?;
        batch(&mut self.basic_data, basic_frame(&basics)?)?;
        Ok(())
    }

    /// Closes the streamed tables and writes the file log and the anomalies (every finding,
    /// with whether it belongs to a superseded version).
    pub fn finish(
        self,
        files: &[FileRecord],
        superseded: &BTreeMap<String, Superseded>,
        anomalies: &[(&Anomaly, bool)],
    ) -> Result<(), DatasetError> {
        for w in [&self.evaluations, &self.funds, &self.indicators, &self.basic_data] {
            w.finish().map_err(|cause| DatasetError::Polars { table: "parquet", cause })?;
        }
        let system = |f: &FileRecord| self.systems.of(&f.path, self.file_department.get(&f.path).map(String::as_str));
        write_frame(&self.dir, "files", files_frame(files, superseded, system)?)?;
        write_frame(&self.dir, "anomalies", anomalies_frame(anomalies, &self.systems)?)?;
        Ok(())
    }
}

/// Reads one table back (tests and tools).
pub fn read_table(path: &Path) -> Result<DataFrame, DatasetError> {
    let file = File::open(path).map_err(|cause| DatasetError::Io { path: path.display().to_string(), cause })?;
    ParquetReader::new(file).finish().map_err(|cause| DatasetError::Polars { table: "parquet", cause })
}
