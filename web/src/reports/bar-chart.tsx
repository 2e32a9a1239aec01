// A horizontal bar chart drawn as inline SVG: no chart library for a handful of bars. Each bar
// carries its value as text too, and the figure has a title and a table-like description for
// screen readers.

export interface Bar {
  label: string;
  value: number | null;
  /** A reference line (a goal or target), drawn across the bar. */
  limit?: number | undefined;
}

const ROW = 28;
const LABEL = 110;
const WIDTH = 520;
const VALUE = 90;

export function BarChart({
  title,
  bars,
  format,
}: {
  title: string;
  bars: Bar[];
  format: (v: number) => string;
}) {
  const max = Math.max(1, ...bars.flatMap((b) => [b.value ?? 0, b.limit ?? 0]));
  const span = WIDTH - LABEL - VALUE;
  const x = (v: number) => LABEL + (v / max) * span;
  const height = bars.length * ROW + 8;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} width="100%" role="img" aria-label={title}>
        <title>{title}</title>
        {bars.map((b, i) => {
          const y = 4 + i * ROW;
          const over = b.limit !== undefined && b.value !== null && b.value > b.limit;
          return (
            <g key={b.label} data-testid={`bar-${b.label}`}>
              <text x={0} y={y + 18} className="chart-label">
                {b.label}
              </text>
              {b.value !== null && (
                <rect
                  x={LABEL}
                  y={y + 4}
                  width={Math.max(1, x(b.value) - LABEL)}
                  height={ROW - 10}
                  className={over ? 'chart-bar over' : 'chart-bar'}
                />
              )}
              {b.limit !== undefined && (
                <line x1={x(b.limit)} x2={x(b.limit)} y1={y} y2={y + ROW} className="chart-limit" />
              )}
              <text x={WIDTH - VALUE + 6} y={y + 18} className="chart-value">
                {b.value === null ? 'no data' : format(b.value)}
                {b.limit !== undefined ? ` (goal ${format(b.limit)})` : ''}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
