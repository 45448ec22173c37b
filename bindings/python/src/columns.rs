//! Columnar paths: Arrow tables in (any library speaking the Arrow PyCapsule interface), Arrow
//! tables out, with money as `decimal128(18, 2)` and the GIL released while the core works.
//!
//! Nothing here decides a rule: the functions read columns into the core's own columnar inputs
//! (`case_rate::batch`, `split::PreparedSplit`, `corridor::Corridor`, `metrics::load`), call the
//! core, and write its outputs as Arrow columns. Bad cells are collected, every one, into one
//! `invalid_data` error ([`cwfinance::Error::InvalidData`]) naming the table, 1-based row, column
//! and value.

use std::sync::Arc;

use arrow_array::builder::Decimal128Builder;
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type, Float64Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, Date32Array, RecordBatch, StringArray, UInt8Array, UInt32Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::NaiveDate;
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use pyo3_arrow::input::AnyRecordBatch;
use rust_decimal::Decimal;
use serde_json::Value;

use cwfinance::case_rate::RateSchedule;
use cwfinance::case_rate::batch::{BatchSchedule, EnrollmentColumns, bill_table};
use cwfinance::corridor::Corridor;
use cwfinance::metrics::data::{ColumnType, Table};
use cwfinance::metrics::load::{
    CellValue, Column, ColumnTable, LoadOptions, UnknownColumns, from_columns, from_csv_bytes,
};
use cwfinance::split::{PreparedSplit, SharePolicy, Split};
use cwfinance::{DataProblem, Error, Money, Program, ProrationConvention, Rounding};

use crate::check;

/// Money columns: 18 digits hold ±10^16 dollars, beyond the core's ±10^15 bound.
const MONEY_PRECISION: u8 = 18;
const MONEY_SCALE: i8 = 2;
const UNIX_EPOCH_CE_DAYS: i32 = 719_163;

fn arrow_err(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("arrow: {e}"))
}

/// Every record batch of an Arrow-compatible input, as one batch.
fn read_batch(input: AnyRecordBatch) -> PyResult<RecordBatch> {
    let reader = input.into_reader()?;
    let schema = reader.schema();
    let mut batches = Vec::new();
    for b in reader {
        batches.push(b.map_err(arrow_err)?);
    }
    arrow_select::concat::concat_batches(&schema, &batches).map_err(arrow_err)
}

fn column<'a>(batch: &'a RecordBatch, name: &str, table: &str) -> PyResult<&'a ArrayRef> {
    batch.column_by_name(name).ok_or_else(|| {
        let names: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        PyKeyError::new_err(format!(
            "{table}: no column {name:?}; columns: {}",
            names.join(", ")
        ))
    })
}

/// Text of each cell (`None` for null), for the few inputs read as text (ids, codes).
fn text_values(array: &ArrayRef) -> PyResult<Vec<Option<String>>> {
    let as_text = arrow_cast::cast(array, &DataType::Utf8).map_err(arrow_err)?;
    let strings = as_text.as_string::<i32>();
    Ok((0..strings.len())
        .map(|i| (!strings.is_null(i)).then(|| strings.value(i).to_string()))
        .collect())
}

fn is_float(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Float16 | DataType::Float32 | DataType::Float64
    )
}

fn float_refused(table: &str, name: &str) -> PyErr {
    PyTypeError::new_err(format!(
        "{table}.{name} is a float column; binary floats cannot hold cents exactly, so cwfinance \
         takes money as decimal128, integer or string columns. Pass allow_float=True to convert \
         floats through their shortest repr."
    ))
}

/// The dates of a column: Date32/Date64, timestamps (the calendar day), or ISO text. A cell
/// that is present but not a date is a problem of code `invalid_date`.
fn date_values(
    array: &ArrayRef,
    table: &str,
    name: &str,
    problems: &mut Vec<DataProblem>,
) -> PyResult<Vec<Option<NaiveDate>>> {
    let days = match array.data_type() {
        DataType::Date32 => array.clone(),
        DataType::Timestamp(_, _) | DataType::Date64 => {
            arrow_cast::cast(array, &DataType::Date32).map_err(arrow_err)?
        }
        _ => {
            let text = arrow_cast::cast(array, &DataType::Utf8).map_err(arrow_err)?;
            let strings = text.as_string::<i32>();
            let mut out = Vec::with_capacity(strings.len());
            for i in 0..strings.len() {
                if strings.is_null(i) || strings.value(i).trim().is_empty() {
                    out.push(None);
                    continue;
                }
                let s = strings.value(i).trim();
                match s.parse::<NaiveDate>() {
                    Ok(d) => out.push(Some(d)),
                    Err(_) => {
                        problems.push(DataProblem::new(
                            table,
                            Some(row_number(i)),
                            name,
                            s,
                            "invalid_date",
                            "not an ISO date (YYYY-MM-DD)",
                        ));
                        out.push(None);
                    }
                }
            }
            return Ok(out);
        }
    };
    let d = days.as_primitive::<Date32Type>();
    Ok((0..d.len())
        .map(|i| {
            (!d.is_null(i))
                .then(|| NaiveDate::from_num_days_from_ce_opt(d.value(i) + UNIX_EPOCH_CE_DAYS))
                .flatten()
        })
        .collect())
}

fn bool_values(
    array: &ArrayRef,
    table: &str,
    name: &str,
    problems: &mut Vec<DataProblem>,
) -> PyResult<Vec<bool>> {
    if let Some(b) = array.as_boolean_opt() {
        return Ok((0..b.len()).map(|i| !b.is_null(i) && b.value(i)).collect());
    }
    let text = text_values(array)?;
    Ok(text
        .into_iter()
        .enumerate()
        .map(
            |(i, t)| match t.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
                None => false,
                Some(s) if s.is_empty() => false,
                Some(s) if matches!(s.as_str(), "true" | "yes" | "y" | "1") => true,
                Some(s) if matches!(s.as_str(), "false" | "no" | "n" | "0") => false,
                Some(s) => {
                    problems.push(DataProblem::new(
                        table,
                        Some(row_number(i)),
                        name,
                        s,
                        "invalid_bool",
                        "not true or false",
                    ));
                    false
                }
            },
        )
        .collect())
}

/// The amounts of a money column: decimal128/256, integers (dollars), decimal text, or floats
/// through their shortest repr when allowed. Bad and missing cells are problems.
fn money_values(
    array: &ArrayRef,
    table: &str,
    name: &str,
    allow_float: bool,
    problems: &mut Vec<DataProblem>,
) -> PyResult<Vec<Money>> {
    let n = array.len();
    let mut out = Vec::with_capacity(n);
    let missing = |i: usize, problems: &mut Vec<DataProblem>| {
        problems.push(DataProblem::new(
            table,
            Some(row_number(i)),
            name,
            "",
            "missing_value",
            "an amount is required",
        ));
    };
    match array.data_type() {
        DataType::Decimal128(_, scale) => {
            let d = array.as_primitive::<Decimal128Type>();
            let scale = u32::try_from(*scale).map_err(|_| {
                PyTypeError::new_err(format!(
                    "{table}.{name}: a negative decimal scale is not supported"
                ))
            })?;
            for i in 0..n {
                if d.is_null(i) {
                    missing(i, problems);
                    out.push(Money::ZERO);
                    continue;
                }
                match Decimal::try_from_i128_with_scale(d.value(i), scale) {
                    Ok(v) => out.push(Money::new(v)),
                    Err(e) => {
                        problems.push(DataProblem::new(
                            table,
                            Some(row_number(i)),
                            name,
                            d.value(i).to_string(),
                            "out_of_range",
                            e.to_string(),
                        ));
                        out.push(Money::ZERO);
                    }
                }
            }
        }
        dt if is_float(dt) => {
            if !allow_float {
                return Err(float_refused(table, name));
            }
            let f = arrow_cast::cast(array, &DataType::Float64).map_err(arrow_err)?;
            let f = f.as_primitive::<Float64Type>();
            for i in 0..n {
                if f.is_null(i) || f.value(i).is_nan() {
                    missing(i, problems);
                    out.push(Money::ZERO);
                    continue;
                }
                // Rust prints the shortest text that reads back as the same float, without an
                // exponent: 0.1 is "0.1", as Python's repr.
                let text = format!("{}", f.value(i));
                push_parsed(&text, i, table, name, problems, &mut out);
            }
        }
        dt if dt.is_integer() => {
            let ints = arrow_cast::cast(array, &DataType::Int64).map_err(arrow_err)?;
            let ints = ints.as_primitive::<Int64Type>();
            for i in 0..n {
                if ints.is_null(i) {
                    missing(i, problems);
                    out.push(Money::ZERO);
                } else {
                    out.push(Money::new(Decimal::from(ints.value(i))));
                }
            }
        }
        _ => {
            for (i, t) in text_values(array)?.into_iter().enumerate() {
                match t {
                    Some(text) if !text.trim().is_empty() => {
                        push_parsed(text.trim(), i, table, name, problems, &mut out)
                    }
                    _ => {
                        missing(i, problems);
                        out.push(Money::ZERO);
                    }
                }
            }
        }
    }
    Ok(out)
}

fn push_parsed(
    text: &str,
    i: usize,
    table: &str,
    name: &str,
    problems: &mut Vec<DataProblem>,
    out: &mut Vec<Money>,
) {
    match Money::parse(name, text) {
        Ok(m) => out.push(m),
        Err(e) => {
            problems.push(DataProblem::new(
                table,
                Some(row_number(i)),
                name,
                text,
                e.kind(),
                e.to_string(),
            ));
            out.push(Money::ZERO);
        }
    }
}

/// 1-based data row of the 0-based index `i` (the header is row 0), as `DataProblem` counts.
fn row_number(i: usize) -> u64 {
    u64::try_from(i).unwrap_or(u64::MAX).saturating_add(1)
}

fn fail_on_problems(py: Python<'_>, problems: Vec<DataProblem>) -> PyResult<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(crate::to_py_err(py, &Error::InvalidData { problems }))
    }
}

/// The core names its input columns (`start`, `amount`, ...) in the problems it reports; rename
/// them to the caller's columns, which may be called otherwise.
fn caller_columns<T>(result: cwfinance::Result<T>, names: &[(&str, &str)]) -> cwfinance::Result<T> {
    result.map_err(|e| match e {
        Error::InvalidData { mut problems } => {
            for p in &mut problems {
                if let Some((_, theirs)) = names.iter().find(|(ours, _)| *ours == p.column) {
                    p.column = (*theirs).to_string();
                }
            }
            Error::InvalidData { problems }
        }
        other => other,
    })
}

/// Cents as a `decimal128(18, 2)` column, taking the vector as the Arrow buffer (no copy).
fn cents_array(cents: Vec<i128>) -> PyResult<ArrayRef> {
    Ok(Arc::new(
        arrow_array::Decimal128Array::from(cents)
            .with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)
            .map_err(arrow_err)?,
    ))
}

/// Amounts as a decimal128 column, exactly: `decimal128(18, 2)` when every amount is in whole
/// cents (the usual case), else `decimal128(38, s)` with `s` the most decimal places any amount
/// has, so that fractions of a cent (from inputs that carry them) are never rounded away.
fn money_column(values: &[Money]) -> PyResult<ArrayRef> {
    let scale = values
        .iter()
        .map(|m| {
            let d = m.amount();
            // Only an amount written with more than two places can need them.
            if d.scale() <= 2 {
                2
            } else {
                d.normalize().scale()
            }
        })
        .max()
        .unwrap_or(0)
        .max(u32::from(MONEY_SCALE.unsigned_abs()));
    let (precision, arrow_scale) = if scale <= 2 {
        (MONEY_PRECISION, MONEY_SCALE)
    } else {
        (38, i8::try_from(scale).unwrap_or(i8::MAX))
    };
    let mut b = Decimal128Builder::with_capacity(values.len());
    for m in values {
        let mut d = m.amount();
        d.rescale(scale);
        if d.scale() != scale {
            return Err(PyValueError::new_err(format!(
                "{m} cannot be held exactly with {scale} decimal places in decimal128"
            )));
        }
        b.append_value(d.mantissa());
    }
    Ok(Arc::new(
        b.finish()
            .with_precision_and_scale(precision, arrow_scale)
            .map_err(arrow_err)?,
    ))
}

fn to_pyarrow(py: Python<'_>, columns: Vec<(String, ArrayRef)>) -> PyResult<Bound<'_, PyAny>> {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(n, a.data_type().clone(), a.null_count() > 0))
        .collect();
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    let arrays: Vec<ArrayRef> = columns.into_iter().map(|(_, a)| a).collect();
    let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(arrow_err)?;
    PyTable::try_new(vec![batch], schema)?.into_pyarrow(py)
}

/// A program given as a preset id or a program object (JSON text).
fn load_program(py: Python<'_>, program: &str) -> PyResult<Program> {
    let trimmed = program.trim_start();
    if trimmed.starts_with('{') {
        check(py, Program::from_json_str(program))
    } else {
        check(py, Program::builtin(program))
    }
}

fn parse_json(py: Python<'_>, text: &str) -> PyResult<Value> {
    check(py, cwfinance::json::parse(text))
}

/// Configuration `own` (JSON text) or else the program's section `section`.
fn config<T: serde::de::DeserializeOwned>(
    py: Python<'_>,
    own: Option<&str>,
    field: &str,
    program: Option<&str>,
    section: &str,
) -> PyResult<T> {
    if let Some(text) = own {
        let value = parse_json(py, text)?;
        return check(py, cwfinance::json::decode::<T>(&value, field));
    }
    let Some(id) = program else {
        return Err(crate::to_py_err(
            py,
            &Error::MissingField {
                field: field.to_string(),
            },
        ));
    };
    let p = load_program(py, id)?;
    let found: Option<T> = check(py, p.section(section))?;
    found.ok_or_else(|| {
        crate::to_py_err(
            py,
            &Error::MissingField {
                field: format!("{field} (program {} has no {section} section)", p.id),
            },
        )
    })
}

fn decode_opt<T: serde::de::DeserializeOwned>(
    py: Python<'_>,
    text: Option<&str>,
    field: &str,
) -> PyResult<Option<T>> {
    text.map(|t| {
        let v = parse_json(py, t)?;
        check(py, cwfinance::json::decode::<T>(&v, field))
    })
    .transpose()
}

fn prepared_split(
    py: Python<'_>,
    split: Option<&str>,
    program: Option<&str>,
    policy: Option<&str>,
    rounding: Option<&str>,
) -> PyResult<PreparedSplit> {
    let split: Split = config(py, split, "split", program, "split")?;
    let policy: Option<SharePolicy> = decode_opt(py, policy, "policy")?;
    let rounding: Option<Rounding> = decode_opt(py, rounding, "rounding")?;
    let policy = policy.unwrap_or_else(|| split.policy.clone());
    let rounding = rounding.unwrap_or(split.rounding);
    check(
        py,
        split
            .prepare_with(&policy, rounding)
            .map_err(|e| e.at("split")),
    )
}

/// Bill every enrollment row of `table` before `as_of`: one line per child-month.
///
/// Returns the lines as a pyarrow Table (`row`, the `child` column if given, `month`, `days`,
/// `amount`, then one column per funder of the split), the rows cut at their maximum duration,
/// and the funders' names.
#[pyfunction]
#[pyo3(signature = (table, *, as_of, schedule=None, program=None, split=None, split_policy=None,
    convention=None, rounding=None, start="start", end="end", extension_authorised="extension_authorised",
    child="child"))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn bill_columns_arrow<'py>(
    py: Python<'py>,
    table: AnyRecordBatch,
    as_of: NaiveDate,
    schedule: Option<&str>,
    program: Option<&str>,
    split: Option<&str>,
    split_policy: Option<&str>,
    convention: Option<&str>,
    rounding: Option<&str>,
    start: &str,
    end: &str,
    extension_authorised: &str,
    child: &str,
) -> PyResult<BilledTable<'py>> {
    let batch = read_batch(table)?;
    let schedule: RateSchedule = config(py, schedule, "schedule", program, "case_rate")?;
    let convention: Option<ProrationConvention> = decode_opt(py, convention, "convention")?;
    let rounding: Option<Rounding> = decode_opt(py, rounding, "rounding")?;
    let compiled = check(py, BatchSchedule::new(&schedule, convention, rounding))?;
    // `split` is a split (JSON object) or `true` for the program's split section.
    let prepared = match split {
        None => None,
        Some("true") => Some(prepared_split(py, None, program, split_policy, None)?),
        Some(own) => Some(prepared_split(py, Some(own), None, split_policy, None)?),
    };

    let mut problems = Vec::new();
    let starts = date_values(
        column(&batch, start, "enrollments")?,
        "enrollments",
        start,
        &mut problems,
    )?;
    let ends = match batch.column_by_name(end) {
        Some(a) => date_values(a, "enrollments", end, &mut problems)?,
        None => vec![None; batch.num_rows()],
    };
    let extensions = match batch.column_by_name(extension_authorised) {
        Some(a) => bool_values(a, "enrollments", extension_authorised, &mut problems)?,
        None => vec![false; batch.num_rows()],
    };
    let mut input = EnrollmentColumns::default();
    input.start.reserve(starts.len());
    for (i, ((s, e), x)) in starts.iter().zip(&ends).zip(&extensions).enumerate() {
        match s {
            Some(s) => input.push(*s, *e, *x),
            None => {
                if !problems
                    .iter()
                    .any(|p| p.row == Some(row_number(i)) && p.column == start)
                {
                    problems.push(DataProblem::new(
                        "enrollments",
                        Some(row_number(i)),
                        start,
                        "",
                        "missing_value",
                        "an enrollment needs a start date",
                    ));
                }
                // Keep row numbers aligned; the load fails below anyway.
                input.push(NaiveDate::MIN, None, false);
            }
        }
    }
    fail_on_problems(py, std::mem::take(&mut problems))?;

    let result = py.detach(|| {
        // Time spent inside the core, so benchmarks can report the binding's own overhead.
        let started = std::time::Instant::now();
        let billed = bill_table(&compiled, &input, as_of, prepared.as_ref());
        (billed, started.elapsed().as_secs_f64())
    });
    let (billed, core_seconds) = result;
    let billed = caller_columns(billed, &[("start", start), ("end", end)]);
    let out = check(py, billed)?;

    // The grand total and each funder's total, as decimal text (summed in i128: no overflow).
    let total_text = |cents: i128| {
        Decimal::try_from_i128_with_scale(cents, 2)
            .map(|d| d.to_string())
            .unwrap_or_else(|_| format!("{cents}e-2"))
    };
    let mut totals = vec![total_text(out.total_cents)];
    totals.extend(out.funder_totals.iter().map(|&t| total_text(t)));
    // The core's columns become Arrow arrays without a copy.
    let funders = out.funder_cents.len();
    let mut columns: Vec<(String, ArrayRef)> = Vec::with_capacity(5 + funders);
    let rows = UInt32Array::from(out.enrollment);
    if let Some(ids) = batch.column_by_name(child) {
        let taken = arrow_select::take::take(ids.as_ref(), &rows, None).map_err(arrow_err)?;
        columns.push(("row".into(), Arc::new(rows)));
        columns.push((child.to_string(), taken));
    } else {
        columns.push(("row".into(), Arc::new(rows)));
    }
    columns.push(("month".into(), Arc::new(Date32Array::from(out.month))));
    columns.push(("days".into(), Arc::new(UInt8Array::from(out.days))));
    columns.push(("amount".into(), cents_array(out.amount_cents)?));
    let mut names = Vec::new();
    if let Some(split) = prepared.as_ref() {
        for (funder, column) in split.funders().iter().zip(out.funder_cents) {
            columns.push((funder.name.clone(), cents_array(column)?));
            names.push(funder.name.clone());
        }
    }
    let table = to_pyarrow(py, columns)?;
    Ok((table, out.cut_at_maximum, names, totals, core_seconds))
}

/// The lines table, the rows cut at their maximum, the funders' names, and the totals (grand,
/// then per funder) as decimal text.
/// Last, the seconds spent inside the core (for benchmarks of the binding's overhead).
type BilledTable<'py> = (Bound<'py, PyAny>, Vec<u32>, Vec<String>, Vec<String>, f64);

/// Allocate every amount of column `amount` across the split's funders, to the cent: one
/// decimal128 column per funder (and `amount`, rounded to cents), each row adding up exactly.
#[pyfunction]
#[pyo3(signature = (table, *, amount="amount", split=None, program=None, policy=None,
    rounding=None, allow_float=false))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn split_columns_arrow<'py>(
    py: Python<'py>,
    table: AnyRecordBatch,
    amount: &str,
    split: Option<&str>,
    program: Option<&str>,
    policy: Option<&str>,
    rounding: Option<&str>,
    allow_float: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let batch = read_batch(table)?;
    let prepared = prepared_split(py, split, program, policy, rounding)?;
    let mut problems = Vec::new();
    let amounts = money_values(
        column(&batch, amount, "amounts")?,
        "amounts",
        amount,
        allow_float,
        &mut problems,
    )?;
    fail_on_problems(py, problems)?;
    let table = py.detach(|| prepared.allocate_table(&amounts));
    let table = caller_columns(table, &[("amount", amount)]);
    let table = check(py, table)?;
    // The core's columns become Arrow arrays without a copy.
    let mut columns = vec![(amount.to_string(), cents_array(table.amount_cents)?)];
    for (funder, column) in prepared.funders().iter().zip(table.funder_cents) {
        columns.push((funder.name.clone(), cents_array(column)?));
    }
    to_pyarrow(py, columns)
}

/// Settle every row's `actual` against its `target` through the corridor: decimal128 columns
/// `difference`, `provider_share`, `payer_share`, `provider_gain`, `payer_total` (and `phase`).
#[pyfunction]
#[pyo3(signature = (table, *, target="target", actual="actual", as_of=None, as_of_column=None,
    corridor=None, program=None, allow_float=false))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn settle_columns_arrow<'py>(
    py: Python<'py>,
    table: AnyRecordBatch,
    target: &str,
    actual: &str,
    as_of: Option<NaiveDate>,
    as_of_column: Option<&str>,
    corridor: Option<&str>,
    program: Option<&str>,
    allow_float: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let batch = read_batch(table)?;
    let corridor: Corridor = config(py, corridor, "corridor", program, "corridor")?;
    check(py, corridor.validate().map_err(|e| e.at("corridor")))?;
    let mut problems = Vec::new();
    let targets = money_values(
        column(&batch, target, "settlements")?,
        "settlements",
        target,
        allow_float,
        &mut problems,
    )?;
    let actuals = money_values(
        column(&batch, actual, "settlements")?,
        "settlements",
        actual,
        allow_float,
        &mut problems,
    )?;
    let dates = match as_of_column {
        Some(name) => date_values(
            column(&batch, name, "settlements")?,
            "settlements",
            name,
            &mut problems,
        )?,
        None => vec![as_of; batch.num_rows()],
    };
    fail_on_problems(py, problems)?;
    let settled = py.detach(|| corridor.settle_table(&targets, &actuals, &dates));
    let as_of_name = as_of_column.unwrap_or("as_of");
    let settled = caller_columns(
        settled,
        &[
            ("target", target),
            ("actual", actual),
            ("as_of", as_of_name),
        ],
    );
    let t = check(py, settled)?;
    let cols = [
        t.difference,
        t.provider_share,
        t.payer_share,
        t.provider_gain,
        t.payer_total,
    ];
    let phases = t.phase;
    let names = [
        "difference",
        "provider_share",
        "payer_share",
        "provider_gain",
        "payer_total",
    ];
    let mut columns = Vec::new();
    for (name, values) in names.iter().zip(cols.iter()) {
        columns.push((name.to_string(), money_column(values)?));
    }
    if phases.iter().any(Option::is_some) {
        columns.push((
            "phase".into(),
            Arc::new(UInt32Array::from(phases)) as ArrayRef,
        ));
    }
    to_pyarrow(py, columns)
}

/// One Arrow array read cell by cell by the core's HB 1414 loader ([`Column`]), without copying:
/// text, dates and booleans straight from the Arrow buffers.
enum ArrowColumn {
    Text(StringArray),
    LargeText(arrow_array::LargeStringArray),
    TextView(arrow_array::StringViewArray),
    Date(Date32Array),
    /// Timestamps without a time zone (and `date64`), read as their calendar day when asked:
    /// `values` in units of which `per_day` make a day.
    Instant {
        values: arrow_array::Int64Array,
        per_day: i64,
    },
    Bool(arrow_array::BooleanArray),
}

impl Column for ArrowColumn {
    fn len(&self) -> usize {
        match self {
            ArrowColumn::Text(a) => a.len(),
            ArrowColumn::LargeText(a) => a.len(),
            ArrowColumn::TextView(a) => a.len(),
            ArrowColumn::Date(a) => a.len(),
            ArrowColumn::Instant { values, .. } => values.len(),
            ArrowColumn::Bool(a) => a.len(),
        }
    }

    fn get(&self, row: usize) -> CellValue<'_> {
        if row >= Column::len(self) {
            return CellValue::Null;
        }
        match self {
            ArrowColumn::Text(a) if a.is_valid(row) => CellValue::Text(a.value(row)),
            ArrowColumn::LargeText(a) if a.is_valid(row) => CellValue::Text(a.value(row)),
            ArrowColumn::TextView(a) if a.is_valid(row) => CellValue::Text(a.value(row)),
            ArrowColumn::Date(a) if a.is_valid(row) => CellValue::UnixDays(a.value(row)),
            ArrowColumn::Instant { values, per_day } if values.is_valid(row) => {
                // A day number beyond i32 is out of any date's range: report it as such.
                let day = values.value(row).div_euclid(*per_day);
                CellValue::UnixDays(i32::try_from(day).unwrap_or(i32::MAX))
            }
            ArrowColumn::Bool(a) if a.is_valid(row) => CellValue::Bool(a.value(row)),
            _ => CellValue::Null,
        }
    }
}

/// An Arrow column as the loader reads it. Text, `date32` and booleans are used as they are;
/// timestamps and `date64` become their calendar day (in the time zone of a zoned timestamp);
/// floats are refused unless `allow_float`
/// (then read through their shortest repr); any other type (integers, decimals, dictionaries)
/// is read as its text.
fn arrow_column(
    array: &ArrayRef,
    table: &str,
    name: &str,
    allow_float: bool,
) -> PyResult<ArrowColumn> {
    use arrow_schema::TimeUnit;
    let per_day = match array.data_type() {
        DataType::Timestamp(TimeUnit::Second, None) => Some(86_400),
        DataType::Timestamp(TimeUnit::Millisecond, None) | DataType::Date64 => Some(86_400_000),
        DataType::Timestamp(TimeUnit::Microsecond, None) => Some(86_400_000_000),
        DataType::Timestamp(TimeUnit::Nanosecond, None) => Some(86_400_000_000_000),
        _ => None,
    };
    if let Some(per_day) = per_day {
        // The same buffers read as plain 64-bit integers: no copy, no conversion pass.
        let data = array.to_data().into_builder().data_type(DataType::Int64);
        let values = arrow_array::Int64Array::from(data.build().map_err(arrow_err)?);
        return Ok(ArrowColumn::Instant { values, per_day });
    }
    let array: ArrayRef = match array.data_type() {
        DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Date32
        | DataType::Boolean => array.clone(),
        DataType::Timestamp(_, _) | DataType::Date64 => {
            arrow_cast::cast(array, &DataType::Date32).map_err(arrow_err)?
        }
        dt if is_float(dt) => {
            if !allow_float {
                return Err(float_refused(table, name));
            }
            let f = arrow_cast::cast(array, &DataType::Float64).map_err(arrow_err)?;
            let f = f.as_primitive::<Float64Type>();
            Arc::new(
                (0..f.len())
                    .map(|i| {
                        (!f.is_null(i) && !f.value(i).is_nan()).then(|| format!("{}", f.value(i)))
                    })
                    .collect::<StringArray>(),
            )
        }
        _ => arrow_cast::cast(array, &DataType::Utf8).map_err(arrow_err)?,
    };
    Ok(match array.data_type() {
        DataType::Utf8 => ArrowColumn::Text(array.as_string::<i32>().clone()),
        DataType::LargeUtf8 => ArrowColumn::LargeText(array.as_string::<i64>().clone()),
        DataType::Utf8View => ArrowColumn::TextView(array.as_string_view().clone()),
        DataType::Date32 => ArrowColumn::Date(array.as_primitive::<Date32Type>().clone()),
        DataType::Boolean => ArrowColumn::Bool(array.as_boolean().clone()),
        other => {
            return Err(PyTypeError::new_err(format!(
                "{table}.{name}: cannot read a {other} column"
            )));
        }
    })
}

/// Measure HB 1414 metrics from Arrow tables (`[(table name, table)]`). `request` is the JSON
/// of an `hb1414.measure` document without `data`; the answer is its response JSON. The tables
/// are read in place by the core's loader ([`cwfinance::metrics::load::from_columns`]): the same
/// checks and problems as the same tables in CSV.
#[pyfunction]
#[pyo3(signature = (tables, request, *, ignore_unknown_columns=false, allow_float=false))]
pub(crate) fn measure_arrow<'py>(
    py: Python<'py>,
    tables: Vec<(String, AnyRecordBatch)>,
    request: &str,
    ignore_unknown_columns: bool,
    allow_float: bool,
) -> PyResult<Measured<'py>> {
    let mut read: Vec<(String, Vec<(String, ArrowColumn)>)> = Vec::with_capacity(tables.len());
    for (name, t) in tables {
        let batch = read_batch(t)?;
        let mut columns = Vec::with_capacity(batch.num_columns());
        for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
            columns.push((
                field.name().clone(),
                arrow_column(array, &name, field.name(), allow_float)?,
            ));
        }
        read.push((name, columns));
    }
    measure_tables(py, request, ignore_unknown_columns, |options| {
        let tables: Vec<ColumnTable> = read
            .iter()
            .map(|(name, columns)| ColumnTable {
                name,
                columns: columns
                    .iter()
                    .map(|(n, c)| (n.as_str(), c as &dyn Column))
                    .collect(),
            })
            .collect();
        from_columns(&tables, options)
    })
}

/// The synthetic Missouri-sized dataset as CSV text per table (`[(file name, text)]`).
#[pyfunction]
#[pyo3(signature = (seed, *, scale="1", years=5, as_of=None))]
pub(crate) fn synthetic_csv(
    py: Python<'_>,
    seed: u64,
    scale: &str,
    years: u32,
    as_of: Option<NaiveDate>,
) -> PyResult<Vec<(String, String)>> {
    use cwfinance::metrics::data::Day;
    use cwfinance::metrics::synth::{SynthOptions, generate, to_csv};

    let scale = check(py, cwfinance::money::parse_decimal("scale", scale))?;
    let mut options = SynthOptions::new(seed).scale(scale).years(years);
    if let Some(d) = as_of {
        let day = Day::from_date(d)
            .ok_or_else(|| PyValueError::new_err(format!("as_of {d} is out of range")))?;
        options = options.as_of(day);
    }
    let result = py.detach(|| generate(&options).map(|ds| to_csv(&ds)));
    check(py, result)
}

/// A column of a case-level table: name, type, required, description.
type ColumnInfo = (String, String, bool, String);

/// The case-level tables and their columns: `[(table, [(column, type, required, description)])]`,
/// with types `id`, `ref:<table>`, `name`, `text`, `date`, `bool`, `money` and `code:<a|b|...>`.
#[pyfunction]
pub(crate) fn dataset_tables() -> Vec<(String, bool, Vec<ColumnInfo>)> {
    Table::ALL
        .iter()
        .map(|t| {
            let columns = t
                .columns()
                .iter()
                .map(|c| {
                    let ty = match c.ty {
                        ColumnType::Id => "id".to_string(),
                        ColumnType::Ref(r) => format!("ref:{}", r.as_str()),
                        ColumnType::Name => "name".into(),
                        ColumnType::Text => "text".into(),
                        ColumnType::Date => "date".into(),
                        ColumnType::Bool => "bool".into(),
                        ColumnType::Money => "money".into(),
                        ColumnType::Code(codes) => format!("code:{}", codes.join("|")),
                    };
                    (
                        c.name.to_string(),
                        ty,
                        c.required,
                        c.description.to_string(),
                    )
                })
                .collect();
            (t.as_str().to_string(), t.is_required(), columns)
        })
        .collect()
}

/// Measure HB 1414 metrics from CSV files (`[(file name, bytes)]`), as the command line does;
/// `request` is the JSON of an `hb1414.measure` document without `data`.
#[pyfunction]
#[pyo3(signature = (files, request, *, ignore_unknown_columns=false))]
pub(crate) fn measure_csv<'py>(
    py: Python<'py>,
    files: Vec<(String, Vec<u8>)>,
    request: &str,
    ignore_unknown_columns: bool,
) -> PyResult<Measured<'py>> {
    measure_tables(py, request, ignore_unknown_columns, |options| {
        let pairs: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        from_csv_bytes(&pairs, options)
    })
}

/// Decode the request, load the tables with `load` and measure them, without the GIL: the one
/// path from tables to metric values that both `measure_arrow` and `measure_csv` take.
fn measure_tables<'py>(
    py: Python<'py>,
    request: &str,
    ignore_unknown_columns: bool,
    load: impl FnOnce(&LoadOptions) -> cwfinance::Result<cwfinance::metrics::data::Dataset> + Send,
) -> PyResult<Measured<'py>> {
    use cwfinance::metrics::measure::{MeasureRequest, measure_dataset};

    let mut value = parse_json(py, request)?;
    if let Value::Object(map) = &mut value {
        map.insert("data".into(), Value::Object(Default::default()));
    }
    let req: MeasureRequest = check(py, cwfinance::json::decode(&value, ""))?;
    let options = LoadOptions {
        unknown_columns: if ignore_unknown_columns {
            UnknownColumns::Ignore
        } else {
            UnknownColumns::Reject
        },
        ..LoadOptions::default()
    };
    let result = py.detach(|| {
        // Time spent inside the core, so benchmarks can report the binding's own overhead.
        let started = std::time::Instant::now();
        let (text, values) = {
            let ds = load(&options)?;
            let mut response = measure_dataset(
                &ds,
                req.periods,
                &req.by,
                &req.metrics,
                &req.options,
                &req.suppression,
            )?;
            let values = std::mem::take(&mut response.values);
            (cwfinance::json::to_canonical_string(&response), values)
            // The dataset is freed here, inside the core's time, as in the Rust bench.
        };
        Ok((text, values, started.elapsed().as_secs_f64()))
    });
    let (response, values, core_seconds) = check(py, result)?;
    Ok((response, values_table(py, &values)?, core_seconds))
}

/// The response JSON without its values, the values as an Arrow table, and the seconds spent
/// inside the core (loading and measuring).
type Measured<'py> = (String, Bound<'py, PyAny>, f64);

/// The metric values of a measurement as an Arrow table, one row per period, unit and metric:
/// built column by column, with no Python object and no string copy per value.
fn values_table<'py>(
    py: Python<'py>,
    values: &[cwfinance::metrics::measure::MetricValue],
) -> PyResult<Bound<'py, PyAny>> {
    use arrow_array::UInt64Array;
    use arrow_array::builder::StringBuilder;

    /// The snake_case code of a serialized enum, computed once per distinct value.
    fn code<T: serde::Serialize + Copy + PartialEq>(cache: &mut Vec<(T, String)>, v: T) -> usize {
        if let Some(k) = cache.iter().position(|(c, _)| *c == v) {
            return k;
        }
        let text = match serde_json::to_value(v) {
            Ok(Value::String(s)) => s,
            Ok(other) => other.to_string(),
            Err(_) => String::new(),
        };
        cache.push((v, text));
        cache.len() - 1
    }
    let n = values.len();
    let text = |f: &dyn Fn(&cwfinance::metrics::measure::MetricValue) -> Option<&str>| {
        let bytes: usize = values.iter().filter_map(f).map(str::len).sum();
        let mut b = StringBuilder::with_capacity(n, bytes);
        for v in values {
            b.append_option(f(v));
        }
        Arc::new(b.finish()) as ArrayRef
    };
    let mut levels = Vec::new();
    let mut reasons = Vec::new();
    let level_ix: Vec<usize> = values.iter().map(|v| code(&mut levels, v.level)).collect();
    let reason_ix: Vec<Option<usize>> = values
        .iter()
        .map(|v| v.suppressed.map(|r| code(&mut reasons, r)))
        .collect();
    fn name<T>(cache: &[(T, String)], k: usize) -> &str {
        cache.get(k).map(|(_, s)| s.as_str()).unwrap_or("")
    }
    let mut level = StringBuilder::with_capacity(n, n * 8);
    for &k in &level_ix {
        level.append_value(name(&levels, k));
    }
    let mut suppressed = StringBuilder::with_capacity(n, 0);
    for k in &reason_ix {
        suppressed.append_option(k.map(|k| name(&reasons, k)));
    }
    let columns: Vec<(String, ArrayRef)> = vec![
        ("period".into(), text(&|v| Some(v.period.as_str()))),
        ("level".into(), Arc::new(level.finish())),
        ("unit".into(), text(&|v| Some(v.unit.as_str()))),
        ("metric".into(), text(&|v| Some(v.metric.as_str()))),
        (
            "numerator".into(),
            Arc::new(values.iter().map(|v| v.numerator).collect::<UInt64Array>()),
        ),
        (
            "denominator".into(),
            Arc::new(
                values
                    .iter()
                    .map(|v| v.denominator)
                    .collect::<UInt64Array>(),
            ),
        ),
        ("value".into(), text(&|v| v.value.as_deref())),
        ("suppressed".into(), Arc::new(suppressed.finish())),
    ];
    to_pyarrow_nullable(py, columns)
}

/// Like `to_pyarrow`, with every field nullable (so tables of any size share one schema).
fn to_pyarrow_nullable(
    py: Python<'_>,
    columns: Vec<(String, ArrayRef)>,
) -> PyResult<Bound<'_, PyAny>> {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(n, a.data_type().clone(), true))
        .collect();
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    let arrays: Vec<ArrayRef> = columns.into_iter().map(|(_, a)| a).collect();
    let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(arrow_err)?;
    PyTable::try_new(vec![batch], schema)?.into_pyarrow(py)
}
