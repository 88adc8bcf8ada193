export * from './fft';
export * from './stft';
export * from './metrics';
export * from './channels';
export * from './scratch';
