/**
 * UI steps several e2e specs share: dropping files like a file manager, adding a Train class,
 * asking the trained model about a photo.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { FLOWERS } from './data';
import type { TrainSettings } from '../../src/training/types';

/** The sorted .jpg photos of one flower class in ../shared/data/flowers. */
export function flowerPhotos(cls: string): string[] {
  return readdirSync(join(FLOWERS, cls))
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .map((f) => join(FLOWERS, cls, f));
}

/** Drops files on an element the way a browser does: a drop event carrying a DataTransfer. */
export async function dropFiles(page: Page, testId: string, files: string[]): Promise<void> {
  const payload = files.map((f) => ({
    name: f.split('/').pop()!,
    data: readFileSync(f).toString('base64'),
  }));
  const dt = await page.evaluateHandle(async (items) => {
    const dt = new DataTransfer();
    for (const it of items) {
      const blob = await (await fetch(`data:image/jpeg;base64,${it.data}`)).blob();
      dt.items.add(new File([blob], it.name, { type: 'image/jpeg' }));
    }
    return dt;
  }, payload);
  await page.dispatchEvent(`[data-testid="${testId}"]`, 'dragover', { dataTransfer: dt });
  await page.dispatchEvent(`[data-testid="${testId}"]`, 'drop', { dataTransfer: dt });
}

/** Adds a class in the Train workspace through its UI and waits for its drop zone. */
export async function addTrainClass(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Add class' }).click();
  const input = page.getByLabel('Class name').last();
  await input.fill(name);
  await input.blur();
  await page.getByTestId(`drop-${name}`).waitFor();
}

/** Opens the Train workspace and applies training settings (the automation API's `settings`). */
export async function openTrain(page: Page, settings: Partial<TrainSettings>): Promise<void> {
  await page.getByRole('tab', { name: 'Train' }).click();
  await page.getByRole('button', { name: 'Add class' }).waitFor();
  await page.evaluate((s) => window.ocellus!.train.settings(s), settings);
}

/** The active trained model's class probabilities (label order) for one photo on disk. */
export async function predictTrained(page: Page, file: string): Promise<number[]> {
  return page.evaluate(async (data) => {
    const blob = await (await fetch(`data:image/jpeg;base64,${data}`)).blob();
    return (await window.ocellus!.train.predict([blob]))[0];
  }, readFileSync(file).toString('base64'));
}
