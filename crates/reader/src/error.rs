//! Why a file could not be read, in English for the file log and in Chinese for the
//! officer ([`ReadError::chinese`]).

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("empty file (0 bytes)")]
    Empty,
    #[error("not a spreadsheet: {0}")]
    NotSpreadsheet(String),
    #[error("the workbook is password-protected (encrypted)")]
    Encrypted,
    #[error("corrupt or truncated workbook: {0}")]
    Corrupt(String),
    #[error("too large to unpack safely: the archive declares {declared_mb} MB unpacked (limit {limit_mb} MB)")]
    TooLarge { declared_mb: u64, limit_mb: u64 },
    #[error("sheet `{sheet}` is too large ({cells} cells, limit {limit})")]
    SheetTooLarge { sheet: String, cells: u64, limit: u64 },
    #[error("the workbook declares {declared} {what}, more than any valid file or the limit allows ({limit})")]
    DeclaredTooMany { what: String, declared: u64, limit: u64 },
    #[error("the workbook has {sheets} sheets (limit {limit})")]
    TooManySheets { sheets: u64, limit: u64 },
    #[error(
        "sheet {sheet} of this .xls spans {cells} cells ({total} with the sheets before it; limit {limit}): the reader would allocate every one"
    )]
    XlsTooLarge { sheet: u64, cells: u64, total: u64, limit: u64 },
    #[error("sheet `{sheet}` of this .ods spans {cells} cells once its repeats are expanded (limit {limit})")]
    OdsTooLarge { sheet: String, cells: u64, limit: u64 },
    #[error(
        "sheet `{sheet}`: its {cells} cells are spread over {rows} rows × {cols} columns ({area} cells, limit {limit})"
    )]
    SheetSpread { sheet: String, cells: u64, rows: u64, cols: u64, area: u64, limit: u64 },
    #[error("the sheets' text is over {limit_mb} MB (a long text repeated in many cells)")]
    TextTooLarge { limit_mb: u64 },
    #[error("the workbook's sheets hold {cells} cells together (limit {limit} per workbook)")]
    WorkbookTooLarge { cells: u64, limit: u64 },
}

impl ReadError {
    /// The reason in Chinese, for the summary workbook.
    pub fn chinese(&self) -> String {
        match self {
            ReadError::Empty => "空文件（0字节）".into(),
            ReadError::NotSpreadsheet(_) => "不是电子表格文件（可能是改了扩展名的其他文件）".into(),
            ReadError::TooLarge { declared_mb, .. } => {
                format!("文件解压后过大（{declared_mb}兆字节），为安全起见未读取，请删去多余内容后重新提交")
            }
            ReadError::Encrypted => "文件设有打开密码（已加密），请提交未加密的文件".into(),
            // the parser's own (English) text stays in files.parquet's `error`
            ReadError::Corrupt(_) => "文件已损坏或不完整，请重新保存或导出后提交".into(),
            ReadError::SheetTooLarge { sheet, cells, .. } => {
                format!("工作表“{sheet}”过大（{cells}个单元格）")
            }
            ReadError::DeclaredTooMany { what, declared, .. } => {
                format!("文件声明的数量异常（{declared} {what}），可能已损坏，为安全起见未读取")
            }
            ReadError::TooManySheets { sheets, limit } => format!("工作表过多（{sheets}个，上限{limit}个）"),
            ReadError::XlsTooLarge { sheet, cells, .. } => format!("第{sheet}个工作表过大（{cells}个单元格）"),
            ReadError::OdsTooLarge { sheet, cells, .. } => format!("工作表“{sheet}”过大（{cells}个单元格）"),
            ReadError::WorkbookTooLarge { cells, .. } => format!("工作簿过大（共{cells}个单元格）"),
            ReadError::SheetSpread { sheet, rows, cols, .. } => {
                format!("工作表“{sheet}”的单元格分散在{rows}行×{cols}列的范围内，过大")
            }
            ReadError::TextTooLarge { limit_mb } => format!("工作表中的文字过多（超过{limit_mb}兆字节）"),
        }
    }
}
