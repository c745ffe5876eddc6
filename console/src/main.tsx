import { render } from 'preact';
import { App } from './app.js';
import { sessionTokenStore } from './session.js';
import './styles.css';

render(<App store={sessionTokenStore()} />, document.getElementById('app')!);
