/** Model and training settings with sensible defaults. */
import { catalog } from '../../models/catalog';
import { updateSettings } from '../../training/project';
import type { TrainSettings } from '../../training/types';

const bases = catalog.models.filter((m) => m.task === 'classify' && m.embedding);

function Num({
  label,
  value,
  step,
  min,
  max,
  onChange,
  disabled,
}: {
  label: string;
  value: number;
  step: number;
  min: number;
  max?: number;
  onChange: (v: number) => void;
  disabled?: boolean;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        value={value}
        step={step}
        min={min}
        max={max}
        disabled={disabled}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (Number.isFinite(v) && v >= min && (max === undefined || v <= max)) onChange(v);
        }}
      />
    </label>
  );
}

export function SettingsForm({ s, busy }: { s: TrainSettings; busy: boolean }) {
  const up = (p: Partial<TrainSettings>) => void updateSettings(p);
  const knn = s.mode === 'knn';
  return (
    <fieldset className="train-settings" disabled={busy}>
      <legend>Model</legend>
      <label className="field wide">
        <span>Base (feature extractor)</span>
        <select
          value={s.baseId}
          onChange={(e) => up({ baseId: e.target.value })}
          aria-label="Base model"
        >
          {bases.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name} ({b.embedding!.dim}-d{b.format === 'graph' ? ', no fine-tuning' : ''})
            </option>
          ))}
        </select>
      </label>
      <div className="field wide" role="radiogroup" aria-label="Training mode">
        <span>Mode</span>
        {(
          [
            ['head', 'Head only (frozen base)'],
            ['finetune', 'Fine-tune top block'],
            ['knn', 'KNN (instant)'],
          ] as const
        ).map(([m, label]) => (
          <label key={m} className="radio">
            <input
              type="radio"
              name="mode"
              checked={s.mode === m}
              onChange={() => up({ mode: m })}
            />{' '}
            {label}
          </label>
        ))}
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={s.augment}
          onChange={(e) => up({ augment: e.target.checked })}
        />{' '}
        Augmentation on the GPU (crop/scale, flip, brightness, contrast)
      </label>
      <Num
        label="Augmented views per sample"
        value={s.augmentViews}
        step={1}
        min={1}
        max={16}
        disabled={!s.augment}
        onChange={(v) => up({ augmentViews: v })}
      />
      {knn ? (
        <Num
          label="Neighbours (k)"
          value={s.knnK}
          step={1}
          min={1}
          max={50}
          onChange={(v) => up({ knnK: v })}
        />
      ) : (
        <>
          <Num
            label="Hidden units (0 = none)"
            value={s.hidden}
            step={16}
            min={0}
            max={1024}
            onChange={(v) => up({ hidden: v })}
          />
          <Num
            label="Dropout"
            value={s.dropout}
            step={0.05}
            min={0}
            max={0.9}
            onChange={(v) => up({ dropout: v })}
          />
          <Num
            label="Learning rate"
            value={s.learningRate}
            step={0.0001}
            min={0.00001}
            max={0.1}
            onChange={(v) => up({ learningRate: v })}
          />
          <Num
            label="Epochs (max)"
            value={s.epochs}
            step={5}
            min={1}
            max={500}
            onChange={(v) => up({ epochs: v })}
          />
          <Num
            label="Batch size"
            value={s.batchSize}
            step={8}
            min={1}
            max={512}
            onChange={(v) => up({ batchSize: v })}
          />
          <Num
            label="Early-stopping patience"
            value={s.patience}
            step={1}
            min={1}
            max={100}
            onChange={(v) => up({ patience: v })}
          />
          <label className="check">
            <input
              type="checkbox"
              checked={s.classWeights}
              onChange={(e) => up({ classWeights: e.target.checked })}
            />{' '}
            Class weights for unbalanced data
          </label>
          {s.mode === 'finetune' && (
            <>
              <Num
                label="Fine-tune learning rate"
                value={s.finetuneLearningRate}
                step={0.00001}
                min={0.000001}
                max={0.01}
                onChange={(v) => up({ finetuneLearningRate: v })}
              />
              <Num
                label="Fine-tune epochs"
                value={s.finetuneEpochs}
                step={1}
                min={1}
                max={100}
                onChange={(v) => up({ finetuneEpochs: v })}
              />
            </>
          )}
        </>
      )}
      <Num
        label="Validation fraction"
        value={s.valSplit}
        step={0.05}
        min={0}
        max={0.5}
        onChange={(v) => up({ valSplit: v })}
      />
    </fieldset>
  );
}
