import { useEffect, useRef, useState, type DragEvent } from 'react';
import { useApp, selectTagLoaded, selectTagOrder, selectWorkspace } from '../../store';
import {
  fromClipboard,
  fromDataTransfer,
  fromFileList,
  type IncomingFile,
} from '../../sources/files';
import { addFiles, initTagSession } from '../../tagging/actions';
import { TagToolbar } from './TagToolbar';
import { RunAnnouncer, RunBar } from './RunBar';
import { GalleryFilters } from './GalleryFilters';
import { Gallery } from './Gallery';
import { SelectionBar } from './SelectionBar';
import { LargeView } from './LargeView';
import { StorageBanner } from './StorageBanner';
import { ModelChoiceBanner } from './ModelChoiceBanner';
import { TagDetectBar } from '../detection/TagDetectBar';
import './tag.css';

/** Tag: drop many photos (or folders), classify them in batches on the GPU, review and export. */
export function TagWorkspace() {
  const loaded = useApp(selectTagLoaded);
  const count = useApp(selectTagOrder).length;
  const workspace = useApp(selectWorkspace);
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void initTagSession();
  }, []);

  const take = (files: IncomingFile[]) => {
    if (files.length) void addFiles(files);
  };

  useEffect(() => {
    if (workspace !== 'tag') return;
    const onPaste = (e: ClipboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA')) return;
      const files = fromClipboard(e);
      if (files.length) {
        e.preventDefault();
        take(files);
      }
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [workspace]);

  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files');

  return (
    <section
      aria-label="Tag"
      className={`ws tag-ws${dragging ? ' dragging' : ''}`}
      data-testid="tag-drop"
      onDragEnter={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth.current++;
        setDragging(true);
      }}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={() => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        depth.current = 0;
        setDragging(false);
        void fromDataTransfer(e.dataTransfer).then(take);
      }}
    >
      <input
        ref={fileInput}
        type="file"
        multiple
        accept="image/*,.heic,.heif,.avif"
        className="visually-hidden"
        data-testid="tag-file-input"
        aria-label="Choose photos to tag"
        onChange={(e) => {
          take(fromFileList(e.target.files));
          e.target.value = '';
        }}
      />
      <input
        ref={folderInput}
        type="file"
        multiple
        className="visually-hidden"
        data-testid="tag-folder-input"
        aria-label="Choose a folder to tag"
        {...{ webkitdirectory: '' }}
        onChange={(e) => {
          take(fromFileList(e.target.files));
          e.target.value = '';
        }}
      />
      <div className="tag-head">
        <h2>Tag</h2>
        <TagToolbar
          onPickFiles={() => fileInput.current?.click()}
          onPickFolder={() => folderInput.current?.click()}
        />
      </div>
      <StorageBanner />
      <ModelChoiceBanner />
      <RunBar />
      <RunAnnouncer />
      <TagDetectBar />
      {loaded && count === 0 ? (
        <div className="tag-empty">
          <p>
            <strong>Drop photos or whole folders anywhere here</strong>, paste an image, or{' '}
            <button onClick={() => fileInput.current?.click()}>choose photos</button>
          </p>
          <p className="muted">
            JPEG, PNG, WebP, GIF, BMP and AVIF. Everything is classified on this device; no photo
            leaves it.
          </p>
        </div>
      ) : (
        <>
          <GalleryFilters />
          <SelectionBar />
          <Gallery />
        </>
      )}
      <LargeView />
      {dragging && (
        <div className="tag-drop-hint" aria-hidden="true">
          Drop to tag
        </div>
      )}
    </section>
  );
}
