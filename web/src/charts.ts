import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import { h } from './dom';

// Only the parts used here are bundled.
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
);

const PALETTE = ['#2f7ed8', '#e4572e', '#29a36a', '#c28f00', '#8e5ad0'];

function themeColor(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

const live = new Set<Chart>();

/** Destroys the charts of the page being left. */
export function destroyCharts(): void {
  for (const chart of live) chart.destroy();
  live.clear();
}

export interface ChartSpec {
  type: 'line' | 'bar';
  title: string;
  labels: string[];
  series: Array<{ label: string; data: Array<number | null> }>;
  stacked?: boolean;
  unit?: string;
  /** Called with the index of a clicked point (keyboard users get the table beside it). */
  onPick?: (index: number) => void;
}

export function chart(spec: ChartSpec): HTMLElement {
  const canvas = h('canvas', { role: 'img', 'aria-label': `${spec.title} chart` });
  const box = h(
    'figure',
    { class: 'chart' },
    h('figcaption', {}, spec.title),
    h('div', { class: 'canvas-box' }, canvas),
  );
  const text = themeColor('--text', '#222');
  const grid = themeColor('--border', '#ccc');
  const datasets: ChartDataset<'line' | 'bar', Array<number | null>>[] = spec.series.map(
    (s, i) => ({
      label: s.label,
      data: s.data,
      borderColor: PALETTE[i % PALETTE.length],
      backgroundColor: PALETTE[i % PALETTE.length],
      spanGaps: true,
      pointRadius: 4,
      pointHoverRadius: 6,
    }),
  );
  const instance = new Chart(canvas, {
    type: spec.type,
    data: { labels: spec.labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      color: text,
      onClick: (_event, elements) => {
        const first = elements[0];
        if (first && spec.onPick) spec.onPick(first.index);
      },
      plugins: {
        legend: { display: spec.series.length > 1, labels: { color: text } },
        tooltip: {
          callbacks: spec.unit
            ? {
                label: (item) =>
                  `${item.dataset.label ?? ''}: ${String(item.formattedValue)} ${spec.unit ?? ''}`,
              }
            : {},
        },
      },
      scales: {
        x: { stacked: spec.stacked, ticks: { color: text }, grid: { color: grid } },
        y: {
          stacked: spec.stacked,
          beginAtZero: true,
          ticks: { color: text },
          grid: { color: grid },
        },
      },
    },
  });
  live.add(instance);
  return box;
}
