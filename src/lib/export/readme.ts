import type { Manifest } from './manifest';

/** README.md of the bundle: what is in it and how to load it in R and in Python. */
export function bundleReadme(m: Omit<Manifest, 'files'>): string {
	const tables = m.tables.map((t) => `- \`${t.name}\` (${t.rows} rows): ${t.description}`).join('\n');
	const prefixed = Object.entries(m.csv.quote_prefixed_columns)
		.filter(([, cols]) => cols.length > 0)
		.map(([table, cols]) => `\`${table}\`: ${cols.map((c) => `\`${c}\``).join(', ')}`);
	return `# Intrathecal pump outcomes: patient-level export

Exported ${m.exported_at} by ${m.app.name} ${m.app.version}${m.app.build?.commit ? ` (build ${m.app.build.commit})` : ''}. Filters: ${m.filters_text}.
\`manifest.json\` records the filters, settings, input files (with SHA-256), row counts, the
k-anonymity check and everything else needed to repeat this export; \`data_dictionary.md\` (and
\`data_dictionary.csv\`) describe every column.

## Tables

Each table is given twice with the same rows and columns: \`parquet/<table>.parquet\` (typed; the
easiest to load) and \`csv/<table>.csv\` (UTF-8 with a byte order mark, for spreadsheets).

${tables}

Privacy: \`patient_id\` was drawn at random for this export; it is not the source id and cannot
be joined to another export. Ages are in bands, time is in days from implant (day 0), and there
are no calendar dates. This is still patient-level data: keep it where the source data may be kept.

## The apostrophe in the CSV files

A text cell that begins with \`=\`, \`+\`, \`-\`, \`@\`, a tab, a carriage return, a line feed or \`'\`
has one \`'\` added in front, so that a spreadsheet shows it instead of running it as a formula
(OWASP CSV injection). Numbers never get one. To restore the values, remove one leading \`'\` from
the text cells of the columns \`manifest.json\` lists under \`csv.quote_prefixed_columns\`
(${prefixed.length ? `in this export: ${prefixed.join('; ')}` : 'none in this export'}).
The Parquet files hold the values as they are.

## R

\`\`\`r
library(arrow)     # install.packages("arrow")
analysis <- read_parquet("parquet/analysis.parquet")
patients <- read_parquet("parquet/patients.parquet")

# or from the CSV files (readr drops the byte order mark; "" is the only missing value)
library(readr); library(jsonlite)
manifest <- fromJSON("manifest.json")
read_export_csv <- function(table) {
  df <- read_csv(file.path("csv", paste0(table, ".csv")), na = "",
                 col_types = cols(patient_id = col_character(), .default = col_guess()))
  for (col in manifest$csv$quote_prefixed_columns[[table]]) df[[col]] <- sub("^'", "", df[[col]])
  df
}
analysis <- read_export_csv("analysis")
subset(analysis, window == "12m" & !is.na(responder_30)) |> with(mean(responder_30))
\`\`\`

## Python

\`\`\`python
import json
import pandas as pd  # pip install pandas pyarrow

analysis = pd.read_parquet("parquet/analysis.parquet")
patients = pd.read_parquet("parquet/patients.parquet")

# or from the CSV files ("utf-8-sig" drops the byte order mark; "" is the only missing value)
manifest = json.load(open("manifest.json", encoding="utf-8"))
def read_export_csv(table):
    df = pd.read_csv(f"csv/{table}.csv", encoding="utf-8-sig", keep_default_na=False,
                     na_values=[""], dtype={"patient_id": str})
    for col in manifest["csv"]["quote_prefixed_columns"].get(table, []):
        df[col] = df[col].str.replace(r"^'", "", regex=True)
    return df

analysis = read_export_csv("analysis")
twelve = analysis[(analysis.window == "12m") & analysis.responder_30.notna()]
print(len(twelve), twelve.responder_30.astype(bool).sum())
\`\`\`
`;
}
